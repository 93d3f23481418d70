"""Shared request dependencies, as ``Annotated`` aliases for route signatures."""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from careerpilot.errors import AuthenticationError, PermissionDeniedError
from careerpilot.observability.observer import TurnObserver
from careerpilot.pipeline.assistant import Assistant
from careerpilot.server.admission import AdmissionTicket, MemberRateLimiter, TurnAdmission
from careerpilot.server.auth import TokenSigner
from careerpilot.store.annotations import AnnotationStore
from careerpilot.store.conversations import ConversationStore

__all__ = ["AppState", "CurrentMember", "CurrentOperator", "MetricsReader", "RunningTurn", "State"]


@dataclass
class RunningTurn:
    """A turn being streamed; ``POST .../stop`` cancels its task."""

    task: asyncio.Task[None]
    stopped: bool = False
    # Its place among the concurrent turns, given back when the stream ends.
    ticket: AdmissionTicket | None = None


@dataclass
class AppState:
    assistant: Assistant
    store: ConversationStore
    signer: TokenSigner
    annotations: AnnotationStore
    # metrics, spans and the turn log (one registry and tracer provider per app)
    observer: TurnObserver = field(default_factory=TurnObserver)
    # conversation id -> its turn in progress (one at a time per conversation)
    running: dict[str, RunningTurn] = field(default_factory=dict)
    admission: TurnAdmission = field(default_factory=lambda: TurnAdmission(256, 1.0))
    rate_limiter: MemberRateLimiter = field(default_factory=lambda: MemberRateLimiter(20, 10))


# Both dependencies are `async def`: FastAPI runs a plain `def` in its thread pool, a thread
# hop on every request for what is only an attribute read and an HMAC check.
async def _state(request: Request) -> AppState:
    state: AppState = request.app.state.careerpilot
    return state


_bearer = HTTPBearer(auto_error=False)


async def _current_member(
    state: Annotated[AppState, Depends(_state)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> int:
    if credentials is None:
        raise AuthenticationError(
            "missing bearer token: send 'Authorization: Bearer <token>' "
            "(get one with `careerpilot token --member N`)"
        )
    return state.signer.verify(credentials.credentials)


def _require_operator(state: AppState, member_id: int) -> int:
    server = state.assistant.settings.server
    if server.dev_sign_in or member_id in server.operators:
        return member_id
    raise PermissionDeniedError(
        f"member {member_id} is not an operator: operations data is for the members listed in"
        " [server] operators"
    )


async def _current_operator(
    state: Annotated[AppState, Depends(_state)],
    member_id: Annotated[int, Depends(_current_member)],
) -> int:
    return _require_operator(state, member_id)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def _metrics_reader(
    request: Request,
    state: Annotated[AppState, Depends(_state)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Prometheus with ``[server] metrics_token``, or an operator's token. In development
    (dev sign-in on, no metrics token) a client on this host may scrape without one. Never in
    production: a reverse proxy on the same host makes every client look local."""
    server = state.assistant.settings.server
    expected = server.metrics_token.get_secret_value()
    if credentials is not None:
        given = credentials.credentials
        if expected and hmac.compare_digest(given.encode(), expected.encode()):
            return
        _require_operator(state, state.signer.verify(given))
        return
    local = request.client is not None and _is_loopback(request.client.host)
    if local and not expected and server.dev_sign_in:
        return
    raise AuthenticationError(
        "/metrics needs 'Authorization: Bearer <token>': [server] metrics_token, or an"
        " operator's token"
    )


State = Annotated[AppState, Depends(_state)]
CurrentMember = Annotated[int, Depends(_current_member)]
# A signed-in member listed in [server] operators (every member with dev sign-in).
CurrentOperator = Annotated[int, Depends(_current_operator)]
MetricsReader = Depends(_metrics_reader)
