"""The benchmark routes served by Python's aiohttp, on uvloop when importable.

Usage: python3 python_aiohttp.py [PORT]   (listens on 127.0.0.1, default 8081)
"""

import sys

import aiohttp
from aiohttp import web

try:
    import uvloop
except ImportError:  # plain asyncio loop
    uvloop = None


async def hello(request):
    return web.Response(text="Hello, World!")


async def json_message(request):
    return web.json_response({"message": "Hello, World!"})


async def user(request):
    return web.Response(text=request.match_info["id"])


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8081
    app = web.Application()
    app.router.add_get("/", hello)
    app.router.add_get("/json", json_message)
    app.router.add_get("/user/{id}", user)
    loop = uvloop.new_event_loop() if uvloop is not None else None
    print("python %s, aiohttp %s, loop %s" % (
        sys.version.split()[0], aiohttp.__version__,
        "uvloop " + uvloop.__version__ if uvloop else "asyncio"),
        file=sys.stderr, flush=True)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None,
                print=None, loop=loop)


if __name__ == "__main__":
    main()
