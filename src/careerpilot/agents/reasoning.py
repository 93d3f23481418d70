"""Chain of thought: the model reasons before it answers, and the member sees only the answer.

For an agent named in ``[chain_of_thought] agents``, the narration prompt ends with an
instruction to write ``Reasoning:`` and a few sentences, then ``Answer:`` and the answer.
``ReasoningSplitter`` hides everything before the answer marker while tokens stream, so the
reasoning never shows but delays the first visible token by about ``reasoning_tokens`` times
the time between tokens (``reasoning_ms`` and ``reasoning_tokens`` in the turn's timings).

A model that keeps the format answers in the same call. One that does not (small models often
answer at once, or ramble) gets a second call: when its stream ends without a marker, or its
reasoning reaches ``max_tokens``, what it wrote is given back to it as its reasoning and it is
asked for the answer alone. The second prompt starts with the whole first one, so backends
with prefix caches only read the new turn; its time to the first answer token is
``reasoning_reask_ms``.
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncGenerator, Sequence
from contextlib import aclosing
from dataclasses import replace

from careerpilot.agents.base import TurnContext
from careerpilot.agents.templates import render
from careerpilot.config import ChainOfThoughtSettings
from careerpilot.llm.base import ChatMessage
from careerpilot.pipeline.events import StatusEvent, TextEvent

__all__ = ["AnswerLabel", "ReasoningSplitter", "reason_then_answer", "with_reasoning_instruction"]

_LABEL = "reasoning:"
# "Answer:" where a line or sentence starts, also as markdown ("**Answer:**", "## Answer:"):
# the first one ends the reasoning. Mid-sentence ("to answer: we look at...") it is reasoning.
_LABEL_PATTERN = r"[ \t]*(?:#+[ \t]*)?\**[ \t]*answer[ \t]*\**[ \t]*:[ \t]*\**"
_MARKER = re.compile(r"(?:^|(?<=[\n.!?]))" + _LABEL_PATTERN, re.IGNORECASE)
_ANSWER_LABEL = re.compile(r"\s*" + _LABEL_PATTERN, re.IGNORECASE)
# Text that may still grow into an answer label ("**Ans", "## answer *").
_LABEL_START = re.compile(r"[#*\s]*(?:a(?:n(?:s(?:w(?:e(?:r[ \t*]*)?)?)?)?)?)?", re.IGNORECASE)
# The longest text a marker can span, so that a marker split across deltas is found whole.
_MARKER_SPAN = 24


class ReasoningSplitter:
    """Splits a stream of text deltas into the hidden reasoning and the visible answer."""

    def __init__(self) -> None:
        self._buffer = ""
        self._searched = 0  # buffer offset up to which no marker can start
        self._answering = False
        self._answer_started = False
        self._written = ""  # the text before the marker, as written
        self.reasoning = ""

    @property
    def answering(self) -> bool:
        return self._answering

    def hidden(self) -> str:
        """The reasoning so far (all of it, once the answer has started)."""
        return self.reasoning if self._answering else _strip_label(self._buffer)

    @property
    def written(self) -> str:
        """Everything the model wrote before a marker, exactly (for a prompt that continues)."""
        return self._written if self._answering else self._buffer

    def feed(self, delta: str) -> str:
        """The part of ``delta`` the member sees ("" until the answer marker)."""
        if self._answering:
            return self._visible(delta)
        self._buffer += delta
        match = _MARKER.search(self._buffer, self._searched)
        if match is None:
            self._searched = max(self._searched, len(self._buffer) - _MARKER_SPAN)
            return ""
        if match.end() == len(self._buffer):
            # Nothing after the marker yet: it may still end in "**" that belongs to it.
            self._searched = match.start()
            return ""
        return self._answer_from(match)

    def _answer_from(self, match: re.Match[str]) -> str:
        self._written = self._buffer[: match.start()]
        self.reasoning = _strip_label(self._written)
        rest = self._buffer[match.end() :]
        self._buffer = ""
        self._answering = True
        return self._visible(rest)

    def _visible(self, text: str) -> str:
        if not self._answer_started:
            text = text.lstrip()
            self._answer_started = bool(text)
        return text


class AnswerLabel:
    """The re-asked answer: drops the ``Answer:`` label a model puts before it and streams the
    rest as is. A reply that reasons again (``Reasoning: ...``) is hidden up to its marker."""

    def __init__(self) -> None:
        self._head = ""  # text held while it may still be (the start of) a label
        self._decided = False
        self._started = False
        self._reasoning: ReasoningSplitter | None = None

    def feed(self, delta: str) -> str:
        if self._reasoning is not None:
            return self._reasoning.feed(delta)
        if not self._decided:
            self._head += delta
            head = self._head.lstrip()
            match = _ANSWER_LABEL.match(self._head)
            if head.lower().startswith(_LABEL):
                self._decided = True
                self._reasoning = ReasoningSplitter()
                return self._reasoning.feed(self._head)
            if match is not None and match.end() < len(self._head):
                delta = self._head[match.end() :]
            elif len(self._head) < _MARKER_SPAN and (
                match is not None
                or _LABEL_START.fullmatch(self._head)
                or _LABEL.startswith(head.lower())
            ):
                return ""  # too little text to tell yet
            else:
                delta = self._head
            self._decided = True
        if not self._started:
            delta = delta.lstrip()
            self._started = bool(delta)
        return delta

    def finish(self) -> str:
        """Text still held when the stream ends: a reply shorter than a label, or reasoning
        that never reached its marker (all the model said, so it is the answer)."""
        if self._reasoning is not None:
            return "" if self._reasoning.answering else self._reasoning.hidden()
        if self._decided:
            return ""
        match = _ANSWER_LABEL.match(self._head)
        return "" if match is not None else self._head.strip()


def _strip_label(text: str) -> str:
    text = text.strip()
    if text.lower().startswith(_LABEL):
        text = text[len(_LABEL) :]
    return text.strip()


def with_reasoning_instruction(messages: Sequence[ChatMessage]) -> list[ChatMessage]:
    """``messages`` with the reasoning instruction added to the last (the turn's) user message.

    At the end, not in the system prompt: the agent's static prefix (system prompt and pinned
    examples, cached by the backend) stays the same whether it reasons or not.
    """
    *head, last = messages
    return [*head, ChatMessage(last.role, f"{last.content}\n\n{render('reasoning.j2')}")]


async def reason_then_answer(
    turn: TurnContext, messages: Sequence[ChatMessage], settings: ChainOfThoughtSettings
) -> AsyncGenerator[TextEvent | StatusEvent, None]:
    """Stream the answer to ``messages`` after the model's hidden reasoning (module docstring)."""
    splitter = ReasoningSplitter()
    # The reasoning comes out of the same generation as the answer: give it its own tokens.
    options = replace(turn.generation, max_tokens=turn.generation.max_tokens + settings.max_tokens)
    started = time.perf_counter()
    tokens = 0
    over_budget = False
    yield StatusEvent(stage="reasoning", state="started")
    prompt = with_reasoning_instruction(messages)
    shown = False
    async with aclosing(turn.stream_text(prompt, options)) as deltas:
        async for delta in deltas:
            reasoned = splitter.answering
            visible = splitter.feed(delta)
            if not reasoned and not (splitter.answering and visible):
                tokens += 1  # the deltas before the first one that shows
            if splitter.answering and not reasoned:
                yield _reasoning_finished(turn, started, tokens)
            if visible:
                turn.timer.token()
                shown = True
                yield TextEvent(delta=visible)
            elif not splitter.answering and tokens >= settings.max_tokens:
                over_budget = True
                break  # aclosing stops the generation
    if shown:
        return
    if not splitter.answering:
        detail = "reasoning budget spent" if over_budget else "no answer after the reasoning"
        yield _reasoning_finished(turn, started, tokens, detail)
    # No answer yet (no marker, a marker with nothing after it, or the budget ran out): give
    # the model its own words back, as written (the backend's cache already holds them after
    # `prompt`), and ask for the answer alone.
    notes = [
        *prompt,
        ChatMessage("assistant", splitter.written),
        ChatMessage("user", render("reasoning_answer.j2")),
    ]
    # Asked for "Answer:" first: the label is dropped, the answer streams as it comes.
    label = AnswerLabel()
    asked = time.perf_counter()
    answered = False
    async with aclosing(turn.stream_text(notes)) as deltas:
        async for delta in deltas:
            if visible := label.feed(delta):
                answered = _first_answer_token(turn, asked, answered)
                yield TextEvent(delta=visible)
    if rest := label.finish():
        _first_answer_token(turn, asked, answered)
        yield TextEvent(delta=rest)


def _first_answer_token(turn: TurnContext, asked: float, answered: bool) -> bool:
    """Time a token of the re-asked answer; the first one also records what asking cost."""
    if not answered:
        turn.timer.add_stage("reasoning_reask", asked, time.perf_counter())
    turn.timer.token()
    return True


def _reasoning_finished(
    turn: TurnContext, started: float, tokens: int, detail: str | None = None
) -> StatusEvent:
    ended = time.perf_counter()
    turn.timer.add_stage("reasoning", started, ended)
    turn.timer.reasoning_tokens = tokens
    return StatusEvent(
        stage="reasoning",
        state="finished",
        detail=detail,
        duration_ms=round((ended - started) * 1000, 2),
    )
