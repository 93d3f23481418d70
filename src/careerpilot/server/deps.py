"""Shared request dependencies, as ``Annotated`` aliases for route signatures."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from careerpilot.errors import AuthenticationError
from careerpilot.pipeline.assistant import Assistant
from careerpilot.server.auth import TokenSigner
from careerpilot.store.annotations import AnnotationStore
from careerpilot.store.conversations import ConversationStore

__all__ = ["AppState", "CurrentMember", "RunningTurn", "State"]


@dataclass
class RunningTurn:
    """A turn being streamed; ``POST .../stop`` cancels its task."""

    task: asyncio.Task[None]
    stopped: bool = False


@dataclass
class AppState:
    assistant: Assistant
    store: ConversationStore
    signer: TokenSigner
    annotations: AnnotationStore
    # conversation id -> its turn in progress (one at a time per conversation)
    running: dict[str, RunningTurn] = field(default_factory=dict)


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
