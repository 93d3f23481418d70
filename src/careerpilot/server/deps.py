"""Shared request dependencies, as ``Annotated`` aliases for route signatures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from careerpilot.errors import AuthenticationError
from careerpilot.pipeline.assistant import Assistant
from careerpilot.server.auth import TokenSigner
from careerpilot.store.conversations import ConversationStore

__all__ = ["AppState", "CurrentMember", "State"]


@dataclass
class AppState:
    assistant: Assistant
    store: ConversationStore
    signer: TokenSigner


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.careerpilot
    return state


_bearer = HTTPBearer(auto_error=False)


def _current_member(
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
