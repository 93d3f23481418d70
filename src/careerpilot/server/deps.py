"""Shared request dependencies, as ``Annotated`` aliases for route signatures."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from careerpilot.errors import AuthenticationError
from careerpilot.observability.observer import TurnObserver
from careerpilot.pipeline.assistant import Assistant
from careerpilot.server.admission import AdmissionTicket, MemberRateLimiter, TurnAdmission
from careerpilot.server.auth import TokenSigner
from careerpilot.store.annotations import AnnotationStore
from careerpilot.store.conversations import ConversationStore

__all__ = ["AppState", "CurrentMember", "RunningTurn", "State"]


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


State = Annotated[AppState, Depends(_state)]
CurrentMember = Annotated[int, Depends(_current_member)]
