"""The client benchmark's Python aiohttp client, on uvloop when importable.

Usage: python3 python_aiohttp.py [-n N] [-c C] [-warmup W] [-size S] [-url URL]

One ClientSession with TCPConnector(limit=C); C tasks take request numbers
from one counter until N are taken; each request reads the whole body and
checks status 200 and the body's length (S, -1 for any). W requests before
the measurement open the connections and are not counted. Prints the same
lines as the Go program (client, requests, errors, seconds, requests/s).
"""

import argparse
import asyncio
import sys
import time

import aiohttp

try:
    import uvloop
except ImportError:  # plain asyncio loop
    uvloop = None


async def run(session, url, n, conc, size):
    taken = 0
    errors = []

    async def worker():
        nonlocal taken
        while taken < n:
            taken += 1
            try:
                async with session.get(url) as resp:
                    body = await resp.read()
                    if resp.status != 200:
                        raise RuntimeError("status %d" % resp.status)
                    if size >= 0 and len(body) != size:
                        raise RuntimeError("%d body bytes, want %d" % (len(body), size))
            except Exception as e:  # counted, the first one reported
                errors.append(e)

    await asyncio.gather(*(worker() for _ in range(conc)))
    return errors


async def main(args):
    connector = aiohttp.TCPConnector(limit=args.c)
    async with aiohttp.ClientSession(connector=connector) as session:
        if args.warmup > 0:
            errors = await run(session, args.url, args.warmup, args.c, args.size)
            if errors:
                print("warm-up: %d errors, the first: %r" % (len(errors), errors[0]), file=sys.stderr)
                return 1
        start = time.perf_counter()
        errors = await run(session, args.url, args.n, args.c, args.size)
        elapsed = time.perf_counter() - start
    print("client: python-aiohttp (python %s, aiohttp %s, %s)" % (
        sys.version.split()[0], aiohttp.__version__,
        "uvloop " + uvloop.__version__ if uvloop else "asyncio"))
    print("requests: %d" % args.n)
    print("errors: %d" % len(errors))
    if errors:
        print("first error: %r" % errors[0])
    print("seconds: %.3f" % elapsed)
    print("requests/s: %.1f" % ((args.n - len(errors)) / elapsed))
    return 1 if errors else 0


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("-n", type=int, default=50000)
    p.add_argument("-c", type=int, default=64)
    p.add_argument("-warmup", type=int, default=2000)
    p.add_argument("-size", type=int, default=len("Hello, World!"))
    p.add_argument("-url", default="http://127.0.0.1:8081/")
    args = p.parse_args()
    if uvloop is not None:
        uvloop.install()
    sys.exit(asyncio.run(main(args)))
