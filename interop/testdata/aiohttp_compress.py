"""Check an aiohttp-go server's compression with Python's aiohttp client.

Usage: /usr/bin/python3 aiohttp_compress.py BASE_URL [CHECK ...]

The server runs the demo application (responses compressed, request
bodies decoded) plus the test-only routes GET /compress/text (the lines
"line 0" to "line 1999"), GET /compress/stream (the same lines, streamed
and flushed in batches) and POST /digest ("<length> <sha256>" of the body
as the handler read it). Each passing check prints one JSON line
{"check": NAME, "ok": true, ...}; the first failure raises.
"""

import asyncio
import hashlib
import json
import sys

import aiohttp

TIMEOUT = aiohttp.ClientTimeout(total=10)
LINES = "".join("line %d\n" % i for i in range(2000))


def report(check, **details):
    print(json.dumps({"check": check, "ok": True, **details}), flush=True)


def expect(cond, message):
    if not cond:
        raise AssertionError(message)


def digest(body):
    return "%d %s" % (len(body), hashlib.sha256(body).hexdigest())


async def get_text(s, path, accept):
    headers = {"Accept-Encoding": accept} if accept else None
    async with s.get(path, headers=headers) as r:
        text = await r.text()
        expect(r.status == 200, "GET %s: %d" % (path, r.status))
        return r.headers.get("Content-Encoding"), r.headers.get("Vary"), text


async def check_decompress(base):
    """Every coding aiohttp decodes, asked for one at a time, and its
    default Accept-Encoding (gzip, deflate and br with brotli installed)."""
    got = {}
    async with aiohttp.ClientSession(base, timeout=TIMEOUT) as s:
        for accept in ("gzip", "deflate", "br", None):
            coding, vary, text = await get_text(s, "/compress/text", accept)
            expect(text == LINES, "%s: body of %d characters" % (accept, len(text)))
            expect(vary == "Accept-Encoding", "%s: Vary %r" % (accept, vary))
            expect(accept is None or coding == accept, "asked %s, got %r" % (accept, coding))
            got[accept or "default"] = coding
    expect(got["default"] in ("br", "gzip"), "default Accept-Encoding got %r" % got["default"])
    report("decompress", codings=got)


async def check_stream(base):
    async with aiohttp.ClientSession(base, timeout=TIMEOUT) as s:
        async with s.get("/compress/stream") as r:
            coding = r.headers.get("Content-Encoding")
            expect(r.headers.get("Transfer-Encoding") == "chunked", "stream not chunked")
            lines = [line async for line in r.content]
    text = b"".join(lines).decode()
    expect(coding, "stream not compressed")
    expect(text == LINES, "stream: %d characters" % len(text))
    report("stream", coding=coding, lines=len(lines))


async def check_upload(base):
    """compress=True (deflate) and compress="gzip": the server decodes."""
    body = LINES.encode() * 20
    answers = {}
    async with aiohttp.ClientSession(base, timeout=TIMEOUT) as s:
        for compress in (True, "gzip"):
            async with s.post("/digest", data=body, compress=compress) as r:
                text = await r.text()
            expect(r.status == 200 and text == digest(body),
                   "compress=%r: %d %r, want %r" % (compress, r.status, text, digest(body)))
            answers[str(compress)] = text
    report("upload", bytes=len(body), answers=answers)


CHECKS = {
    "decompress": check_decompress,
    "stream": check_stream,
    "upload": check_upload,
}


async def main(argv):
    if len(argv) < 2:
        raise SystemExit(__doc__)
    base = argv[1].rstrip("/")
    names = argv[2:] or list(CHECKS)
    for name in names:
        if name not in CHECKS:
            raise SystemExit("unknown check %r; known: %s" % (name, ", ".join(CHECKS)))
    for name in names:
        await CHECKS[name](base)


if __name__ == "__main__":
    asyncio.run(main(sys.argv))
