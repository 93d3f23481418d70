"""Conversations: create, read, and post a message whose answer streams as server-sent events."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import math
from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Any

import anyio
from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from careerpilot.agents.base import PageContext
from careerpilot.errors import InvalidQuestionError, StorageError
from careerpilot.llm.base import ChatMessage
from careerpilot.pipeline.events import ErrorEvent, Event
from careerpilot.server.deps import AppState, CurrentMember, RunningTurn, State
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


def sse_message(event: Event, data: str | None = None) -> str:
    """One SSE message; ``data`` is the event's JSON when the caller already has it."""
    return f"event: {event.type}\ndata: {data or event.model_dump_json()}\n\n"


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


def _start_turn(
    state: AppState,
    conversation_id: str,
    member_id: int,
    message: MessageIn,
    history: list[ChatMessage],
    previous_agent: str | None,
) -> tuple[RunningTurn, asyncio.Queue[Event | None]]:
    """Run the turn in its own task, feeding a queue, so that a stop request can cancel it
    (its skill calls and its generation with it) wherever it is waiting."""
    queue: asyncio.Queue[Event | None] = asyncio.Queue()

    async def produce() -> None:
        try:
            turn = state.assistant.turn(
                message.text, member_id, message.context, history, previous_agent
            )
            async with aclosing(turn) as events:
                async for event in events:
                    if event.type == "status":  # a skill call's span needs its times
                        state.observer.skill_status(event)
                    queue.put_nowait(event)
        finally:
            queue.put_nowait(None)

    running = RunningTurn(asyncio.create_task(produce(), name=f"turn {conversation_id}"))
    state.running[conversation_id] = running
    return running, queue


async def _stream_turn(
    state: AppState,
    conversation_id: str,
    running: RunningTurn,
    queue: asyncio.Queue[Event | None],
    question_stored: asyncio.Task[tuple[int, int]],
) -> AsyncIterator[str]:
    sent: list[str] = []  # each event's JSON, serialised once for the wire and the store
    text_parts: list[str] = []
    agent: str | None = None
    status = "interrupted"  # until the turn reaches done or error
    try:
        # The question is written while the turn routes; nothing is sent before it is stored,
        # and an answer whose question could not be stored is not given at all.
        try:
            await question_stored
        except Exception:
            log.exception("could not store the question of conversation %s", conversation_id)
            running.task.cancel()
            failed = StorageError("the question could not be stored; send it again")
            yield sse_message(ErrorEvent(code=failed.code, message=failed.message, retryable=True))
            return
        while (event := await queue.get()) is not None:
            data = event.model_dump_json()
            sent.append(data)
            if event.type == "text":
                text_parts.append(event.delta)
            elif event.type == "route":
                agent = event.agent
            elif event.type in ("done", "error"):
                status = "complete" if event.type == "done" else "error"
            yield sse_message(event, data)
        if running.stopped:
            stopped = ErrorEvent(code="stopped", message="stopped by the member", retryable=True)
            sent.append(stopped.model_dump_json())
            yield sse_message(stopped, sent[-1])
    finally:
        # Shielded: a disconnect cancels the turn, but what was sent is still stored.
        with anyio.CancelScope(shield=True):
            running.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running.task
            if state.running.get(conversation_id) is running:
                del state.running[conversation_id]
            if running.ticket is not None:
                running.ticket.release()
            state.observer.turn_finished(agent=agent, status=status, events=sent)
            # An answer is stored after its question, and only if the question was.
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await question_stored
            if not question_stored.cancelled() and question_stored.exception() is None:
                _, answer_id = question_stored.result()
                await _store_answer(state, answer_id, text_parts, status, agent, sent)


async def _store_answer(
    state: AppState,
    answer_id: int,
    text_parts: list[str],
    status: str,
    agent: str | None,
    sent: list[str],
) -> None:
    done = json.loads(sent[-1]) if sent and sent[-1].startswith('{"type":"done"') else None
    try:
        await state.store.finish_answer(
            answer_id,
            text="".join(text_parts),
            status=status,
            agent=agent,
            events="[" + ",".join(sent) + "]",
            usage=done["usage"] if done else None,
            timings=done["timings"] if done else None,
        )
    except Exception:
        log.exception("could not store answer %s", answer_id)


@router.post(
    "/{conversation_id}/messages",
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "one SSE message per event"},
        404: {"model": ErrorResponse},
        409: {"model": ErrorResponse},
        413: {"model": ErrorResponse},
        422: {"model": ErrorResponse},
        429: {"model": ErrorResponse, "description": "rate limited or overloaded; Retry-After"},
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
    # Both reads at once: the budget check costs the request path nothing more.
    turn_context, spent = await asyncio.gather(
        state.store.turn_context(conversation_id, member_id),
        _daily_budget_spent(state, member_id),
    )
    if conversation_id in state.running:
        return error_response(
            409, "turn_in_progress", "this conversation is still answering; stop it or wait"
        )
    if spent is not None:
        return spent
    if (wait_s := state.rate_limiter.take(member_id)) > 0:
        return error_response(
            429,
            "rate_limited",
            "too many messages; wait before sending another",
            retryable=True,
            headers={"Retry-After": str(max(1, math.ceil(wait_s)))},
        )
    ticket = await state.admission.admit()
    if ticket is None:
        return error_response(
            429,
            "overloaded",
            "the assistant is answering as many questions as it can; try again shortly",
            retryable=True,
            headers={"Retry-After": str(state.admission.retry_after_s())},
        )
    if conversation_id in state.running:  # another message got in while this one waited
        ticket.release()
        return error_response(
            409, "turn_in_progress", "this conversation is still answering; stop it or wait"
        )
    history = [
        ChatMessage("user" if role == "user" else "assistant", text)
        for role, text in turn_context.history
    ]
    context = message.context.model_dump() if message.context else None
    question_stored = asyncio.create_task(
        state.store.begin_turn(conversation_id, member_id, message.text, context)
    )
    running, queue = _start_turn(
        state, conversation_id, member_id, message, history, turn_context.previous_agent
    )
    running.ticket = ticket
    return StreamingResponse(
        _stream_turn(state, conversation_id, running, queue, question_stored),
        media_type="text/event-stream",
        headers={
            "Cache-Control": "no-cache",
            "X-Accel-Buffering": "no",
            **state.observer.trace_headers(),
        },
    )


async def _daily_budget_spent(state: AppState, member_id: int) -> Any:
    """A 429 when the member's answers today used their daily token budget, else None."""
    budget = state.assistant.settings.member_daily_token_budget
    if budget is None:
        return None
    now = dt.datetime.now(dt.UTC)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    used = await state.store.tokens_used_since(member_id, midnight)
    if used < budget:
        return None
    tomorrow = (midnight + dt.timedelta(days=1) - now).total_seconds()
    return error_response(
        429,
        "budget_exceeded",
        f"today's {budget:,}-token budget is used up; it renews at midnight UTC",
        headers={"Retry-After": str(max(1, math.ceil(tomorrow)))},
    )


class StopResult(BaseModel):
    stopped: bool = Field(description="False when no turn was running")


@router.post("/{conversation_id}/stop", responses={404: {"model": ErrorResponse}})
async def stop_turn(conversation_id: str, state: State, member_id: CurrentMember) -> StopResult:
    """Stop the conversation's running turn: its skill calls and generation are cancelled, the
    stream ends with an `error` event (code `stopped`) and the answer is stored as interrupted."""
    await state.store.check_owner(conversation_id, member_id)
    running = state.running.get(conversation_id)
    if running is None or running.task.done():
        return StopResult(stopped=False)
    running.stopped = True
    running.task.cancel()
    return StopResult(stopped=True)
