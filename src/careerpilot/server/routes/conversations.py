"""Conversations: create, read, and post a message whose answer streams as server-sent events."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import anyio
from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from careerpilot.agents.base import PageContext
from careerpilot.errors import InvalidQuestionError
from careerpilot.llm.base import ChatMessage
from careerpilot.pipeline.events import Event
from careerpilot.server.deps import AppState, CurrentMember, State
from careerpilot.server.errors import ErrorResponse, error_response
from careerpilot.store.conversations import ConversationView

__all__ = ["router", "sse_message"]

log = logging.getLogger(__name__)

router = APIRouter(prefix="/v1/conversations", tags=["conversations"])


class ConversationCreated(BaseModel):
    id: str


class MessageIn(BaseModel):
    text: str = Field(description="the member's question")
    context: PageContext | None = Field(None, description="the page the member is looking at")


def sse_message(event: Event) -> str:
    return f"event: {event.type}\ndata: {event.model_dump_json()}\n\n"


@router.post("", status_code=201)
async def create_conversation(state: State, member_id: CurrentMember) -> ConversationCreated:
    """Start a new conversation for the signed-in member."""
    return ConversationCreated(id=await state.store.create_conversation(member_id))


@router.get("")
async def list_conversations(state: State, member_id: CurrentMember) -> list[dict[str, Any]]:
    """The signed-in member's conversations, most recent first."""
    return await state.store.list_conversations(member_id)


@router.get("/{conversation_id}", responses={404: {"model": ErrorResponse}})
async def get_conversation(
    conversation_id: str, state: State, member_id: CurrentMember
) -> ConversationView:
    """A conversation with every message and, for answers, the events that were sent."""
    return await state.store.get_conversation(conversation_id, member_id)


async def _stream_turn(
    state: AppState,
    conversation_id: str,
    member_id: int,
    message: MessageIn,
    history: list[ChatMessage],
    previous_agent: str | None,
) -> AsyncIterator[str]:
    sent: list[dict[str, Any]] = []
    text_parts: list[str] = []
    agent: str | None = None
    status = "interrupted"  # until the turn reaches done or error
    try:
        turn = state.assistant.turn(
            message.text, member_id, message.context, history, previous_agent
        )
        async for event in turn:
            sent.append(event.model_dump(mode="json"))
            if event.type == "text":
                text_parts.append(event.delta)
            elif event.type == "route":
                agent = event.agent
            elif event.type in ("done", "error"):
                status = "complete" if event.type == "done" else "error"
            yield sse_message(event)
    finally:
        # Shielded: a disconnect cancels the turn, but what was sent is still stored.
        with anyio.CancelScope(shield=True):
            done = next((e for e in reversed(sent) if e["type"] == "done"), None)
            try:
                await state.store.add_assistant_message(
                    conversation_id,
                    text="".join(text_parts),
                    status=status,
                    agent=agent,
                    events=sent,
                    usage=done["usage"] if done else None,
                    timings=done["timings"] if done else None,
                )
            except Exception:
                log.exception("could not store the answer of conversation %s", conversation_id)


@router.post(
    "/{conversation_id}/messages",
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "one SSE message per event"},
        404: {"model": ErrorResponse},
        413: {"model": ErrorResponse},
        422: {"model": ErrorResponse},
    },
    response_model=None,
)
async def post_message(
    conversation_id: str, message: MessageIn, state: State, member_id: CurrentMember
) -> StreamingResponse | Any:
    """Ask a question; the answer streams as `text/event-stream`, `done` or `error` last."""
    try:
        state.assistant.validate_question(message.text)
    except InvalidQuestionError as exc:
        too_long = len(message.text.strip()) > state.assistant.settings.max_question_chars
        return error_response(413 if too_long else 422, exc.code, exc.message)
    await state.store.check_owner(conversation_id, member_id)
    history = [
        ChatMessage("user" if role == "user" else "assistant", text)
        for role, text in await state.store.history(conversation_id)
    ]
    previous_agent = await state.store.last_agent(conversation_id)
    context = message.context.model_dump() if message.context else None
    await state.store.add_user_message(conversation_id, member_id, message.text, context)
    return StreamingResponse(
        _stream_turn(state, conversation_id, member_id, message, history, previous_agent),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
