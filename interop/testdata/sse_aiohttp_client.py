"""Read an aiohttp-go event stream with Python's aiohttp client.

Usage: /usr/bin/python3 sse_aiohttp_client.py URL COUNT [LAST_EVENT_ID]

Opens URL with Accept: text/event-stream (and Last-Event-ID when given),
reads the body line by line as it arrives (resp.content), parses it as the
WHATWG spec's EventSource does, and prints one JSON object per event:
{"id", "event", "data", "retry"} (retry: the reconnection time in effect,
null until the stream sets one) plus, first, {"headers": {...}} with the
response's Content-Type, Cache-Control and X-Accel-Buffering and
{"comments": N} last. It stops after COUNT events (0: at the end of the
stream) and closes the connection. Any failure raises: a traceback on
stderr and a non-zero exit.
"""

import asyncio
import json
import sys

import aiohttp


def emit(obj):
    print(json.dumps(obj, ensure_ascii=False), flush=True)


async def main(url, count, last_id):
    headers = {"Accept": "text/event-stream"}
    if last_id:
        headers["Last-Event-ID"] = last_id
    timeout = aiohttp.ClientTimeout(total=20)
    async with aiohttp.ClientSession(timeout=timeout) as s:
        async with s.get(url, headers=headers) as r:
            if r.status != 200:
                raise AssertionError("status %d" % r.status)
            emit({"headers": {k: r.headers.get(k) for k in
                              ("Content-Type", "Cache-Control", "X-Accel-Buffering")}})
            last_event_id, retry = last_id or "", None
            data, event_type, comments, events = [], "", 0, 0
            # Our server ends lines with LF; resp.content yields them one
            # at a time, as they arrive.
            async for raw in r.content:
                if not raw.endswith(b"\n"):
                    break  # a cut last line is not a line
                line = raw[:-1].decode("utf-8")
                if line == "":
                    if data:
                        emit({"id": last_event_id, "event": event_type or "message",
                              "data": "\n".join(data), "retry": retry})
                        events += 1
                    data, event_type = [], ""
                    if count and events == count:
                        break
                    continue
                if line.startswith(":"):
                    comments += 1
                    continue
                name, _, value = line.partition(":")
                if value.startswith(" "):
                    value = value[1:]
                if name == "data":
                    data.append(value)
                elif name == "event":
                    event_type = value
                elif name == "id" and "\0" not in value:
                    last_event_id = value
                elif name == "retry" and value.isdigit():
                    retry = int(value)
            emit({"comments": comments})


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else ""))
