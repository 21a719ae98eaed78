"""The WebSocket benchmark's server and client on Python's aiohttp (uvloop
when importable), speaking the same protocol as ws/main.go: binary
messages are echoed, the text "oneway" switches the connection to counting
binary bytes, and "end" is answered with the count. Compression is off.

Usage:
  python3 python_aiohttp.py -role server -addr 127.0.0.1:8091
  python3 python_aiohttp.py -role client -url ws://127.0.0.1:8091/ws \
      -size 1024 -n 20000 -c 16 -mode echo
"""

import argparse
import asyncio
import resource
import sys
import time

import aiohttp
from aiohttp import web

try:
    import uvloop
except ImportError:  # plain asyncio loop
    uvloop = None


async def handler(request):
    ws = web.WebSocketResponse(compress=False, max_msg_size=0)
    await ws.prepare(request)
    oneway, count = False, 0
    async for msg in ws:
        if msg.type == aiohttp.WSMsgType.BINARY:
            if oneway:
                count += len(msg.data)
            else:
                await ws.send_bytes(msg.data)
        elif msg.type == aiohttp.WSMsgType.TEXT:
            if msg.data == "oneway":
                oneway, count = True, 0
            elif msg.data == "end":
                await ws.send_str(str(count))
                count = 0
    return ws


def serve(addr):
    host, port = addr.rsplit(":", 1)
    app = web.Application()
    app.router.add_get("/ws", handler)
    loop = uvloop.new_event_loop() if uvloop is not None else None
    print("python %s, aiohttp %s, loop %s" % (
        sys.version.split()[0], aiohttp.__version__,
        "uvloop " + uvloop.__version__ if uvloop else "asyncio"),
        file=sys.stderr, flush=True)
    web.run_app(app, host=host, port=int(port), access_log=None,
                print=None, loop=loop)


async def one(ws, payload, count, oneway):
    if oneway:
        for _ in range(count):
            await ws.send_bytes(payload)
        await ws.send_str("end")
        msg = await ws.receive()
        if msg.type != aiohttp.WSMsgType.TEXT or int(msg.data) != count * len(payload):
            raise RuntimeError("oneway: server counted %r" % (msg.data,))
        return
    for _ in range(count):
        await ws.send_bytes(payload)
        msg = await ws.receive()
        if msg.type != aiohttp.WSMsgType.BINARY or len(msg.data) != len(payload):
            raise RuntimeError("echo: got %r" % (msg.type,))


async def client(args):
    oneway = args.mode == "oneway"
    payload = bytes(ord("a") + i % 26 for i in range(args.size))
    async with aiohttp.ClientSession() as sess:
        conns = []
        for _ in range(args.c):
            ws = await sess.ws_connect(args.url, compress=0, max_msg_size=0,
                                       autoping=True)
            if oneway:
                await ws.send_str("oneway")
            conns.append(ws)
        shares = [args.n // args.c + (1 if i < args.n % args.c else 0)
                  for i in range(args.c)]
        cpu0 = cpu_time()
        start = time.perf_counter()
        await asyncio.gather(*(one(ws, payload, k, oneway)
                               for ws, k in zip(conns, shares)))
        el = time.perf_counter() - start
        cpu = cpu_time() - cpu0
        for ws in conns:
            await ws.close()
    print("python %s %d %d %.4f %.0f %.2f %.6f" % (
        args.mode, args.size, args.n, el, args.n / el,
        args.n * args.size / el / 1e6, cpu))


def cpu_time():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def main():
    p = argparse.ArgumentParser()
    p.add_argument("-role", default="server")
    p.add_argument("-impl", default="python")
    p.add_argument("-addr", default="127.0.0.1:8091")
    p.add_argument("-url", default="ws://127.0.0.1:8091/ws")
    p.add_argument("-size", type=int, default=16)
    p.add_argument("-n", type=int, default=10000)
    p.add_argument("-c", type=int, default=16)
    p.add_argument("-mode", default="echo", choices=["echo", "oneway"])
    args = p.parse_args()
    if args.role == "server":
        serve(args.addr)
    else:
        if uvloop is not None:
            uvloop.install()
        asyncio.run(client(args))


if __name__ == "__main__":
    main()
