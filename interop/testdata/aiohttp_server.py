"""A Python aiohttp web server for our client to drive.

Usage: /usr/bin/python3 aiohttp_server.py PORT

Listens on 127.0.0.1:PORT until killed; prints one line naming the Python
and aiohttp versions on stderr once it listens. The routes:

  GET  /text                  "Hello, World!" (text/plain; charset=utf-8)
  GET  /latin1                "café" encoded as ISO-8859-1, charset says so
  GET  /json-as-text          a JSON body sent as text/plain
  *    /echo                  JSON: method, path, query and headers (lists
                              of pairs, in received order), body (text),
                              body_length, peer_port
  POST /form                  JSON: the urlencoded form as a list of pairs
  POST /multipart             JSON: the content type and length of the body,
                              and its parts read with request.multipart(),
                              nested ones too: name, filename, content_type,
                              size, sha256 and the value of text parts
  POST /post-files            JSON: request.post()'s fields (text) and files
                              (FileField: filename, content_type, size, sha256)
  GET  /stream?n=N            N lines "line I\\n", one chunked write each
  GET  /compressed/{coding}   a repetitive text body (COMPRESSIBLE) compressed
                              by aiohttp's enable_compression: forced to gzip
                              or deflate, or "auto" (chosen by aiohttp from
                              the request's Accept-Encoding)
  GET  /manual/{coding}       COMPRESSIBLE compressed here: gzip, deflate
                              (zlib), deflate-raw (raw deflate, labelled
                              deflate), br (when python3-brotli is present)
  GET  /cookies/set?k=v...    sets each pair as a cookie (Path=/)
  GET  /cookies               JSON object of the cookies received
  *    /redirect/{code}/{n}   answers {code} with Location /redirect/{code}/{n-1},
                              and at n = 1 Location /echo?from=redirect
  GET  /relative/dotdot       302, Location "../echo?from=dotdot"
  GET  /relative/plain        302, Location "plain-target" (same directory)
  GET  /relative/plain-target 200 "plain target"
  GET  /relative/netpath      302, Location "//HOST/echo?from=netpath"
  GET  /status/{code}         answers {code} with body "status {code}"
  GET  /slow?delay=S          sleeps S seconds, then answers "slow"
  GET  /slow-body?delay=S     sends the headers and "first\\n" at once, then
                              "second\\n" after S seconds (chunked)
  GET  /close                 "closing" with Connection: close
"""

import asyncio
import gzip
import hashlib
import sys
import zlib

import aiohttp
from aiohttp import web

try:
    import brotli
except ImportError:
    brotli = None

COMPRESSIBLE = ("aiohttp-go interop: the same line again and again\n" * 200).encode()


def pairs(multidict):
    return [[k, v] for k, v in multidict.items()]


async def text(request):
    return web.Response(text="Hello, World!")


async def latin1(request):
    return web.Response(body="café".encode("iso-8859-1"),
                        content_type="text/plain", charset="iso-8859-1")


async def json_as_text(request):
    return web.Response(text='{"a": 1}', content_type="text/plain")


async def echo(request):
    body = await request.read()
    peer = request.transport.get_extra_info("peername")
    return web.json_response({
        "method": request.method,
        "path": request.path,
        "query": pairs(request.query),
        "headers": pairs(request.headers),
        "body": body.decode("utf-8", "replace"),
        "body_length": len(body),
        "peer_port": peer[1] if peer else None,
    })


async def form(request):
    data = await request.post()
    return web.json_response({
        "content_type": request.content_type,
        "form": pairs(data),
    })


async def read_parts(reader):
    parts = []
    async for part in reader:
        if isinstance(part, aiohttp.MultipartReader):
            parts.append({"nested": await read_parts(part)})
            continue
        body = await part.read()
        entry = {"name": part.name, "filename": part.filename,
                 "content_type": part.headers.get("Content-Type"),
                 "size": len(body), "sha256": hashlib.sha256(body).hexdigest()}
        if part.filename is None:
            entry["value"] = body.decode(part.get_charset("utf-8"), "replace")
        parts.append(entry)
    return parts


async def multipart(request):
    request._client_max_size = 0  # no limit: this route takes large uploads
    return web.json_response({
        "content_type": request.content_type,
        "content_length": request.content_length,
        "chunked": request.headers.get("Transfer-Encoding") == "chunked",
        "parts": await read_parts(await request.multipart()),
    })


async def post_files(request):
    request._client_max_size = 0
    data = await request.post()
    fields, files = [], []
    for name, value in data.items():
        if isinstance(value, web.FileField):
            body = value.file.read()
            files.append({"name": name, "filename": value.filename, "content_type": value.content_type,
                          "size": len(body), "sha256": hashlib.sha256(body).hexdigest()})
        else:
            fields.append([name, value])
    return web.json_response({"fields": fields, "files": files})


async def stream(request):
    n = int(request.query.get("n", "10"))
    resp = web.StreamResponse()
    resp.content_type = "text/plain"
    resp.enable_chunked_encoding()
    await resp.prepare(request)
    for i in range(n):
        await resp.write(("line %d\n" % i).encode())
        await asyncio.sleep(0.002)
    await resp.write_eof()
    return resp


async def compressed(request):
    coding = request.match_info["coding"]
    resp = web.Response(body=COMPRESSIBLE, content_type="text/plain")
    if coding == "auto":  # chosen from the request's Accept-Encoding
        resp.enable_compression()
    else:
        resp.enable_compression(force=web.ContentCoding[coding])
    return resp


async def manual(request):
    coding = request.match_info["coding"]
    if coding == "gzip":
        body, label = gzip.compress(COMPRESSIBLE), "gzip"
    elif coding == "deflate":
        body, label = zlib.compress(COMPRESSIBLE), "deflate"
    elif coding == "deflate-raw":
        c = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        body, label = c.compress(COMPRESSIBLE) + c.flush(), "deflate"
    elif coding == "br" and brotli is not None:
        body, label = brotli.compress(COMPRESSIBLE), "br"
    else:
        raise web.HTTPNotFound(text="unknown coding " + coding)
    return web.Response(body=body, content_type="text/plain",
                        headers={"Content-Encoding": label})


async def cookies_set(request):
    resp = web.json_response({"set": pairs(request.query)})
    for k, v in request.query.items():
        resp.set_cookie(k, v, path="/")
    return resp


async def cookies(request):
    return web.json_response(dict(request.cookies))


async def redirect(request):
    code = int(request.match_info["code"])
    n = int(request.match_info["n"])
    await request.read()
    if n > 1:
        location = "/redirect/%d/%d" % (code, n - 1)
    else:
        location = "/echo?from=redirect"
    return web.Response(status=code, headers={"Location": location})


async def relative(request):
    kind = request.match_info["kind"]
    if kind == "dotdot":
        location = "../echo?from=dotdot"
    elif kind == "plain":
        location = "plain-target"
    elif kind == "plain-target":
        return web.Response(text="plain target")
    elif kind == "netpath":
        location = "//%s/echo?from=netpath" % request.host
    else:
        raise web.HTTPNotFound()
    return web.Response(status=302, headers={"Location": location})


async def status(request):
    code = int(request.match_info["code"])
    return web.Response(status=code, text="status %d" % code)


async def slow(request):
    await asyncio.sleep(float(request.query.get("delay", "1")))
    return web.Response(text="slow")


async def slow_body(request):
    resp = web.StreamResponse()
    resp.content_type = "text/plain"
    resp.enable_chunked_encoding()
    await resp.prepare(request)
    await resp.write(b"first\n")
    await asyncio.sleep(float(request.query.get("delay", "1")))
    await resp.write(b"second\n")
    await resp.write_eof()
    return resp


async def close(request):
    resp = web.Response(text="closing")
    resp.force_close()
    return resp


def main():
    port = int(sys.argv[1])
    app = web.Application()
    app.router.add_get("/text", text)
    app.router.add_get("/latin1", latin1)
    app.router.add_get("/json-as-text", json_as_text)
    app.router.add_route("*", "/echo", echo)
    app.router.add_post("/form", form)
    app.router.add_post("/multipart", multipart)
    app.router.add_post("/post-files", post_files)
    app.router.add_get("/stream", stream)
    app.router.add_get("/compressed/{coding}", compressed)
    app.router.add_get("/manual/{coding}", manual)
    app.router.add_get("/cookies/set", cookies_set)
    app.router.add_get("/cookies", cookies)
    app.router.add_route("*", "/redirect/{code:\\d+}/{n:\\d+}", redirect)
    app.router.add_get("/relative/{kind}", relative)
    app.router.add_get("/status/{code:\\d+}", status)
    app.router.add_get("/slow", slow)
    app.router.add_get("/slow-body", slow_body)
    app.router.add_get("/close", close)
    print("python %s, aiohttp %s" % (sys.version.split()[0], aiohttp.__version__),
          file=sys.stderr, flush=True)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


if __name__ == "__main__":
    main()
