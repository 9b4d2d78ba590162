"""The load test's fan-out app on the Python stack: Starlette + sse-starlette under uvicorn.

Usage: python3 starlette_fanout.py --port PORT --backlog BACKLOG  (PORT 0 picks a free one)
Prints "listening 127.0.0.1:PORT" once it accepts connections.

- POST /publish (body: the event data): sends to every subscriber with a counter id.
- GET /events: streams them, a keep-alive comment every 15 s. A subscriber more than 1024
  events behind has its stream ended (its client reconnects). No history: Last-Event-ID is
  not honoured. The same app as the Rust servers of examples/loadtest/servers/.
"""

import argparse
import asyncio
import socket
import sys

import uvicorn
from sse_starlette.sse import EventSourceResponse, ServerSentEvent
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

CAPACITY = 1024
subscribers: set[asyncio.Queue] = set()
next_id = 1


async def publish(request):
    global next_id
    data = (await request.body()).decode()
    event = ServerSentEvent(data=data, id=str(next_id))
    next_id += 1
    for queue in list(subscribers):
        if queue.qsize() >= CAPACITY:
            subscribers.discard(queue)
            queue.put_nowait(None)  # lagged: end its stream
        else:
            queue.put_nowait(event)
    return Response(status_code=204)


async def events(request):
    queue: asyncio.Queue = asyncio.Queue()
    subscribers.add(queue)

    async def stream():
        try:
            while (event := await queue.get()) is not None:
                yield event
        finally:
            subscribers.discard(queue)

    return EventSourceResponse(stream(), ping=15)


app = Starlette(routes=[Route("/events", events), Route("/publish", publish, methods=["POST"])])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--backlog", type=int, default=2048)
    args = parser.parse_args()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(args.backlog)
    config = uvicorn.Config(app, log_level="warning", backlog=args.backlog, timeout_keep_alive=60)
    server = uvicorn.Server(config)

    async def run():
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started and not serving.done():
            await asyncio.sleep(0.01)
        host, port = sock.getsockname()[:2]
        print(f"listening {host}:{port}", flush=True)
        await serving

    asyncio.run(run())


if __name__ == "__main__":
    sys.exit(main())
