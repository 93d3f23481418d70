"""The request a piece of work belongs to: its id, and the conversation and turn it serves.

``RequestContextMiddleware`` (pure ASGI, so the context variable reaches the endpoint, the
streamed body and the tasks the endpoint starts) opens one per HTTP request. Logs read the ids
from it; the turn's ``TurnTimer`` registers itself in it, so that the observer can draw the
turn's spans when it ends. A W3C ``traceparent`` header (with ``tracestate``) names the caller's
span, which the turn's span joins; the skill status events the turn emits are marked here with
their times (``TurnObserver.skill_status``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from opentelemetry.trace import SpanContext
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from careerpilot.observability.tracing import SkillMark, TurnIds, remote_parent
from careerpilot.pipeline.timing import TurnTimer, collect_timers

__all__ = ["REQUEST_ID_HEADER", "RequestContext", "RequestContextMiddleware", "current_request"]

REQUEST_ID_HEADER = "x-request-id"
_REQUEST_ID = REQUEST_ID_HEADER.encode()
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_CONVERSATION_PATH = re.compile(r"^/v1/conversations/([A-Za-z0-9-]{1,64})(/messages)?/?$")


@dataclass
class RequestContext:
    request_id: str
    conversation_id: str | None = None
    turn_id: str | None = None  # set for a posted message: the turn it starts
    timers: list[TurnTimer] = field(default_factory=list)
    trace_parent: SpanContext | None = None  # the caller's span (a valid ``traceparent``)
    trace_ids: TurnIds | None = None  # the turn span's ids, once the response named them
    skill_marks: list[SkillMark] = field(default_factory=list)


_current: ContextVar[RequestContext | None] = ContextVar("careerpilot_request", default=None)


def current_request() -> RequestContext | None:
    return _current.get()


@contextmanager
def request_context(context: RequestContext) -> Iterator[RequestContext]:
    """Make ``context`` current, and collect the turn timers created inside."""
    token = _current.set(context)
    try:
        with collect_timers(context.timers.append):
            yield context
    finally:
        _current.reset(token)


def new_id() -> str:
    return uuid.uuid4().hex


def context_for(scope: Scope) -> RequestContext:
    """The context of one HTTP request: the caller's ``X-Request-ID`` when it is a plain token,
    else a new one; the conversation and, for ``POST .../messages``, a new turn id and the
    caller's span (a valid ``traceparent``; a malformed one is ignored)."""
    request_id = traceparent = tracestate = None
    for name, value in scope.get("headers", ()):
        if name == _REQUEST_ID and request_id is None:
            candidate = value.decode("latin-1")
            request_id = candidate if _VALID_ID.match(candidate) else ""
        elif name == b"traceparent" and traceparent is None:
            traceparent = value.decode("latin-1")
        elif name == b"tracestate":  # may be split over several headers
            part = value.decode("latin-1")
            tracestate = part if tracestate is None else f"{tracestate},{part}"
    context = RequestContext(request_id or new_id())
    match = _CONVERSATION_PATH.match(scope.get("path", ""))
    if match:
        context.conversation_id = match.group(1)
        if match.group(2) and scope.get("method") == "POST":
            context.turn_id = new_id()
            if traceparent is not None:
                context.trace_parent = remote_parent(traceparent, tracestate)
    return context


class RequestContextMiddleware:
    """Opens a ``RequestContext`` per HTTP request and echoes its id in ``X-Request-ID``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        context = context_for(scope)
        header = (REQUEST_ID_HEADER.encode(), context.request_id.encode())

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        with request_context(context):
            await self.app(scope, receive, send_with_id)
