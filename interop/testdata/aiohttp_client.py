"""Drive an aiohttp-go server with Python's aiohttp client.

Usage: /usr/bin/python3 aiohttp_client.py BASE_URL [CHECK ...]

BASE_URL is the server's root ("http://127.0.0.1:PORT"). With no CHECK
every default check runs; otherwise only those named. Each passing check
prints one JSON line {"check": NAME, "ok": true, ...details} on stdout.
The first unexpected result raises: the traceback goes to stderr and the
exit status is non-zero, so the Go test fails with the reason.

The server runs the demo application plus the test-only POST /digest route,
which reads the whole body (1 MiB limit) and answers "<length> <sha256>",
echoing the request's Transfer-Encoding in X-Request-Transfer-Encoding, and
POST /post-files, which reads a multipart form with Request.Post and
Request.Files and answers its fields and files (sizes, SHA-256) as JSON.
"""

import asyncio
import hashlib
import io
import json
import sys

import aiohttp

BODY_LIMIT = 1 << 20
TIMEOUT = aiohttp.ClientTimeout(total=10)


def report(check, **details):
    print(json.dumps({"check": check, "ok": True, **details}), flush=True)


def expect(cond, message):
    if not cond:
        raise AssertionError(message)


def payload(n):
    """n bytes that do not compress or repeat within a chunk."""
    out = bytearray()
    block = b"aiohttp-go interop"
    i = 0
    while len(out) < n:
        out += hashlib.sha256(block + i.to_bytes(8, "big")).digest()
        i += 1
    return bytes(out[:n])


def digest(body):
    return "%d %s" % (len(body), hashlib.sha256(body).hexdigest())


def new_session(base, **kwargs):
    # trust_env stays False: no proxy, the traffic goes to 127.0.0.1 only.
    kwargs.setdefault("timeout", TIMEOUT)
    return aiohttp.ClientSession(base, **kwargs)


async def check_get_root(base):
    async with new_session(base) as s:
        async with s.get("/") as r:
            text = await r.text()
            expect(r.status == 200, "GET / status %d" % r.status)
            expect(text == "Hello, Anonymous", "GET / body %r" % text)
            expect(r.content_type == "text/plain", "GET / type %r" % r.content_type)
            expect(r.charset == "utf-8", "GET / charset %r" % r.charset)
    report("get_root", body=text)


async def check_get_name(base):
    async with new_session(base) as s:
        for name in ("Alice", "Jörg M"):
            async with s.get("/" + name) as r:
                text = await r.text()
                expect(r.status == 200, "GET /%s status %d" % (name, r.status))
                expect(text == "Hello, " + name, "GET /%s body %r" % (name, text))
        async with s.get("/health") as r:
            text = await r.text()
            expect(r.status == 200 and text == "OK", "GET /health: %d %r" % (r.status, text))
    report("get_name", names=["Alice", "Jörg M"], health=text)


async def check_post_json(base):
    sent = {"key": "value", "list": [1, 2.5, None, True], "nested": {"ü": "ß"}}
    async with new_session(base) as s:
        async with s.post("/api/data", json=sent) as r:
            expect(r.status == 200, "POST /api/data status %d: %s" % (r.status, await r.text()))
            expect(r.content_type == "application/json", "POST /api/data type %r" % r.content_type)
            got = await r.json()
    expect(got == {"status": "success", "received": sent}, "POST /api/data answered %r" % got)
    report("post_json", received=got["received"])


async def check_head(base):
    async with new_session(base) as s:
        async with s.get("/Alice") as r:
            get_body = await r.read()
            get_length = r.headers.get("Content-Length")
        async with s.head("/Alice") as r:
            body = await r.read()
            expect(r.status == 200, "HEAD status %d" % r.status)
            length = r.headers.get("Content-Length")
        # The connection must still be in sync after HEAD.
        async with s.get("/health") as r:
            after = await r.text()
    expect(length == get_length == str(len(get_body)),
           "HEAD Content-Length %r, GET's %r for %d bytes" % (length, get_length, len(get_body)))
    expect(body == b"", "HEAD sent a body: %r" % body)
    expect(after == "OK", "request after HEAD got %r" % after)
    report("head", content_length=int(length))


async def check_not_found(base):
    async with new_session(base) as s:
        async with s.get("/no/such/path") as r:
            text = await r.text()
            expect(r.status == 404, "GET /no/such/path status %d" % r.status)
    report("not_found", status=404, body=text)


async def check_method_not_allowed(base):
    async with new_session(base) as s:
        async with s.delete("/api/data") as r:
            await r.read()
            expect(r.status == 405, "DELETE /api/data status %d" % r.status)
            allow = r.headers.get("Allow")
            expect(allow == "POST", "DELETE /api/data Allow %r" % allow)
        async with s.post("/health") as r:
            await r.read()
            expect(r.status == 405, "POST /health status %d" % r.status)
            allow2 = r.headers.get("Allow")
            expect(set(allow2.split(",")) == {"GET", "HEAD"}, "POST /health Allow %r" % allow2)
    report("method_not_allowed", status=405, allow=allow)


async def check_keepalive(base):
    created = 0
    reused = 0

    async def on_create(session, ctx, params):
        nonlocal created
        created += 1

    async def on_reuse(session, ctx, params):
        nonlocal reused
        reused += 1

    trace = aiohttp.TraceConfig()
    trace.on_connection_create_end.append(on_create)
    trace.on_connection_reuseconn.append(on_reuse)
    connector = aiohttp.TCPConnector(limit=1)
    paths = ["/", "/Alice", "/health", "/Bob", "/"]
    async with new_session(base, connector=connector, trace_configs=[trace]) as s:
        for p in paths:
            async with s.get(p) as r:
                await r.read()
                expect(r.status == 200, "GET %s status %d" % (p, r.status))
                expect(r.headers.get("Connection", "").lower() != "close",
                       "GET %s: server closed the connection" % p)
        async with s.post("/api/data", json=[1, 2]) as r:
            await r.read()
            expect(r.status == 200, "POST /api/data status %d" % r.status)
    requests = len(paths) + 1
    expect(created == 1, "%d connections for %d requests" % (created, requests))
    expect(reused == requests - 1, "%d reuses for %d requests" % (reused, requests))
    report("keepalive", requests=requests, connections=created, reused=reused)


def sent_headers_trace(into):
    async def on_headers(session, ctx, params):
        into.append(params.headers)

    trace = aiohttp.TraceConfig()
    trace.on_request_headers_sent.append(on_headers)
    return trace


async def check_chunked_upload(base):
    body = payload(300_000)

    async def chunks():
        step = 64 << 10
        for i in range(0, len(body), step):
            yield body[i:i + step]
            await asyncio.sleep(0)

    sent = []
    async with new_session(base, trace_configs=[sent_headers_trace(sent)]) as s:
        async with s.post("/digest", data=chunks()) as r:
            text = await r.text()
            expect(r.status == 200, "chunked POST /digest status %d: %s" % (r.status, text))
            seen = r.headers.get("X-Request-Transfer-Encoding")
    expect(sent and sent[0].get("Transfer-Encoding") == "chunked",
           "aiohttp did not send chunked: %r" % (sent and dict(sent[0])))
    expect(seen == "chunked", "server saw Transfer-Encoding %r" % seen)
    expect(text == digest(body), "server read %r, sent %r" % (text, digest(body)))
    report("chunked_upload", bytes=len(body), answer=text)


async def post_too_large(s, data, **kwargs):
    """POST data to /digest and return (status, body), or the error of a
    connection the server closed before the client read the answer."""
    try:
        async with s.post("/digest", data=data, **kwargs) as r:
            return r.status, await r.text()
    except aiohttp.ClientError as e:
        return None, "%s: %s" % (type(e).__name__, e)


async def check_too_large(base):
    """2 MiB bodies get 413, announced by Content-Length (with and without
    Expect: 100-continue) or streamed chunked. Each goes on a connection of
    its own: the server closes it after the 413 (see too_large_keepalive)."""
    big = payload(2 * BODY_LIMIT)

    async def chunks():
        step = 64 << 10
        for i in range(0, len(big), step):
            yield big[i:i + step]

    results = {}
    for name, data, kwargs in (
        ("content_length", lambda: io.BytesIO(big), {}),
        ("expect100", lambda: io.BytesIO(big), {"expect100": True}),
        ("chunked", chunks, {}),
    ):
        async with new_session(base, connector=aiohttp.TCPConnector(force_close=True)) as s:
            status, text = await post_too_large(s, data(), **kwargs)
        expect(status == 413, "%s: 2 MiB POST /digest got %r %s" % (name, status, text))
        expect(text.startswith("Maximum request body size 1048576 exceeded"),
               "%s: 413 body %r" % (name, text))
        results[name] = status
    # The limit is inclusive: a body of exactly 1 MiB still goes through.
    small = big[:BODY_LIMIT]
    async with new_session(base) as s:
        async with s.post("/digest", data=small) as r:
            text = await r.text()
            expect(r.status == 200 and text == digest(small),
                   "1 MiB POST /digest got %d %r" % (r.status, text))
    report("too_large", **results)


async def check_too_large_keepalive(base):
    """After a 413 the session goes on working: the server either reads the
    rest of the body and keeps the connection, or closes it and says so
    with Connection: close, so that aiohttp does not reuse it."""
    big = payload(2 * BODY_LIMIT)
    rounds = 5  # whether aiohttp notices an unannounced close in time is a race
    async with new_session(base, connector=aiohttp.TCPConnector(limit=1)) as s:
        for i in range(rounds):
            status, text = await post_too_large(s, io.BytesIO(big))
            expect(status == 413, "round %d: 2 MiB POST /digest got %r %s" % (i, status, text))
            try:
                async with s.get("/health") as r:
                    after = await r.text()
            except aiohttp.ClientError as e:
                raise AssertionError("round %d: GET /health after the 413 failed: %s: %s (the server "
                                     "closed the connection without Connection: close)"
                                     % (i, type(e).__name__, e))
            expect(after == "OK", "round %d: GET /health after the 413 got %r" % (i, after))
    report("too_large_keepalive", rounds=rounds)


async def check_expect100(base):
    body = payload(100_000)
    sent = []
    async with new_session(base, trace_configs=[sent_headers_trace(sent)]) as s:
        async with s.post("/digest", data=body, expect100=True) as r:
            text = await r.text()
            expect(r.status == 200, "expect100 POST /digest status %d: %s" % (r.status, text))
    expect(sent and sent[0].get("Expect") == "100-continue",
           "aiohttp did not send Expect: %r" % (sent and dict(sent[0])))
    expect(text == digest(body), "server read %r, sent %r" % (text, digest(body)))
    report("expect100", bytes=len(body))


async def check_expect100_rejected(base):
    """A request the server refuses before the body (404, 405) must get its
    answer without a 100 Continue and without the client sending the body:
    aiohttp waits for the 100 for as long as the request timeout allows."""
    body = payload(100_000)
    results = {}
    async with new_session(base, timeout=aiohttp.ClientTimeout(total=5)) as s:
        for path, want in (("/no/such/path", 404), ("/health", 405)):
            try:
                async with s.post(path, data=body, expect100=True) as r:
                    await r.read()
                    status = r.status
            except asyncio.TimeoutError:
                raise AssertionError("expect100 POST %s: no answer within 5s; the "
                                     "server waits for a body it never asked for" % path)
            expect(status == want, "expect100 POST %s status %d" % (path, status))
            results[path] = status
        # The session still works after the refused uploads.
        async with s.get("/health") as r:
            expect(await r.text() == "OK", "GET /health after refused uploads")
    report("expect100_rejected", statuses=results)


async def post_upload(s, data):
    async with s.post("/upload", data=data) as r:
        text = await r.text()
        expect(r.status == 200, "POST /upload status %d: %s" % (r.status, text))
        return json.loads(text)


def expect_file(got, name, filename, content_type, body):
    want = {"name": name, "filename": filename, "content_type": content_type,
            "size": len(body), "sha256": hashlib.sha256(body).hexdigest()}
    expect(got == want, "file %r, want %r" % (got, want))


async def check_multipart_upload(base):
    """FormData and MultipartWriter uploads to the demo's POST /upload,
    which hashes the files as they stream: sizes, SHA-256, field values
    and file names (non-ASCII ones too) come back as sent. A 5 MiB file
    streams from disk, past the 1 MiB limit of other routes."""
    import os
    import tempfile
    big = payload(5 << 20)
    with tempfile.NamedTemporaryFile(suffix=".bin") as f:
        f.write(big)
        f.flush()
        form = aiohttp.FormData()
        form.add_field("title", "季度报告 Q1")
        form.add_field("n", "1")
        with open(f.name, "rb") as fp:
            form.add_field("file", fp, filename="report.xls", content_type="application/vnd.ms-excel")
            form.add_field("empty", b"", filename="e.txt", content_type="text/plain")
            # aiohttp percent-encodes a non-ASCII filename= and its own
            # server reports it so: ours does the same.
            form.add_field("pct", b"x", filename="报告.txt", content_type="text/plain")
            async with new_session(base) as s:
                got = await post_upload(s, form)
    expect(got["form"] == {"title": "季度报告 Q1", "n": "1"}, "form %r" % got["form"])
    expect(len(got["files"]) == 3, "files %r" % got["files"])
    expect_file(got["files"][0], "file", "report.xls", "application/vnd.ms-excel", big)
    expect_file(got["files"][1], "empty", "e.txt", "text/plain", b"")
    expect_file(got["files"][2], "pct", "%E6%8A%A5%E5%91%8A.txt", "text/plain", b"x")

    # MultipartWriter: a raw UTF-8 filename= (as browsers send it), an
    # RFC 5987 filename*, a JSON part, a custom boundary.
    with aiohttp.MultipartWriter("form-data", boundary="custom-boundary-42") as mp:
        part = mp.append(big[:1000], {"Content-Type": "image/png"})
        part.set_content_disposition("form-data", name="raw", filename="报告 2026.png", quote_fields=False)
        part = mp.append(b"ext", {"Content-Type": "application/octet-stream"})
        part.headers["Content-Disposition"] = "form-data; name=\"ext\"; filename*=utf-8''%E2%82%AC%20rates.txt"
        part = mp.append_json({"k": "值"})
        part.set_content_disposition("form-data", name="meta")
        async with new_session(base) as s:
            got2 = await post_upload(s, mp)
    expect(len(got2["files"]) == 2, "files %r" % got2["files"])
    expect_file(got2["files"][0], "raw", "报告 2026.png", "image/png", big[:1000])
    expect_file(got2["files"][1], "ext", "€ rates.txt", "application/octet-stream", b"ext")
    expect(got2["form"] == {"meta": json.dumps({"k": "值"})}, "form %r" % got2["form"])
    report("multipart_upload", files=len(got["files"]) + len(got2["files"]))


async def check_multipart_post(base):
    """FormData to Request.Post and Request.Files: a 3 MiB file is spooled
    to a temporary file, a small one kept in memory; repeated and non-ASCII
    fields keep their order and values."""
    big = payload(3 << 20)
    form = aiohttp.FormData()
    form.add_field("tag", "一")
    form.add_field("tag", "two")
    form.add_field("big", io.BytesIO(big), filename="big.bin", content_type="application/octet-stream")
    form.add_field("small", b"tiny", filename="s.txt", content_type="text/plain")
    async with new_session(base) as s:
        async with s.post("/post-files", data=form) as r:
            text = await r.text()
            expect(r.status == 200, "POST /post-files status %d: %s" % (r.status, text))
    got = json.loads(text)
    expect(got["fields"] == [["tag", "一"], ["tag", "two"]], "fields %r" % got["fields"])
    want = [
        {"name": "big", "filename": "big.bin", "content_type": "application/octet-stream",
         "size": len(big), "sha256": hashlib.sha256(big).hexdigest(), "spooled": True},
        {"name": "small", "filename": "s.txt", "content_type": "text/plain",
         "size": 4, "sha256": hashlib.sha256(b"tiny").hexdigest(), "spooled": False},
    ]
    expect(got["files"] == want, "files %r, want %r" % (got["files"], want))
    # Past the route's 8 MiB: 413.
    form = aiohttp.FormData()
    form.add_field("big", io.BytesIO(payload(9 << 20)), filename="big.bin")
    async with new_session(base) as s:
        async with s.post("/post-files", data=form) as r:
            expect(r.status == 413, "9 MiB POST /post-files status %d" % r.status)
    report("multipart_post", files=len(want))


CHECKS = {
    "get_root": check_get_root,
    "get_name": check_get_name,
    "post_json": check_post_json,
    "head": check_head,
    "not_found": check_not_found,
    "method_not_allowed": check_method_not_allowed,
    "keepalive": check_keepalive,
    "chunked_upload": check_chunked_upload,
    "too_large": check_too_large,
    "too_large_keepalive": check_too_large_keepalive,
    "expect100": check_expect100,
    "expect100_rejected": check_expect100_rejected,
    "multipart_upload": check_multipart_upload,
    "multipart_post": check_multipart_post,
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
