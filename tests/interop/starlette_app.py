"""A real sse-starlette server for sse-wire's interop test.

Usage: python3 starlette_app.py PORT
- GET /events: the events below, as sse-starlette encodes them (CRLF line endings).
- GET /expected: what a conforming client must see: [{type, data, id}] where id is the
  last event id in force (it persists across events), and the final retry.
"""

import sys

import uvicorn
from sse_starlette.sse import EventSourceResponse, ServerSentEvent
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

EVENTS = [
    ServerSentEvent(data="plain"),
    ServerSentEvent(data="first line\nsecond line", event="multi", id="1"),
    ServerSentEvent(data="carriage\r\nreturns\rtoo", event="crlf"),
    ServerSentEvent(data='{"json": true, "n": [1, 2]}', event="json", id="2", retry=1500),
    ServerSentEvent(data="  leading spaces and ünïcödé ✓ 日本語", id="3"),
    ServerSentEvent(comment="a comment line"),
    ServerSentEvent(data="", event="empty"),
    ServerSentEvent(data="after the comment", event="last", id="4"),
]


def expected():
    seen, last_id, retry = [], "", None
    for event in EVENTS:
        if event.id is not None:
            last_id = event.id
        if event.retry is not None:
            retry = event.retry
        if event.data is None:
            continue
        data = event.data.replace("\r\n", "\n").replace("\r", "\n")
        seen.append({"type": event.event or "message", "data": data, "id": last_id})
    return {"events": seen, "retry": retry, "last_event_id": last_id}


async def events(request):
    async def generate():
        for event in EVENTS:
            yield event

    return EventSourceResponse(generate(), ping=600)


async def expected_events(request):
    return JSONResponse(expected())


app = Starlette(routes=[Route("/events", events), Route("/expected", expected_events)])

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
