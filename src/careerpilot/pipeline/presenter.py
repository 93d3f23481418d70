"""From an agent's events to what the client is sent: the server-driven UI of one turn.

Agents speak in domain terms: components, sources (``citation``), follow-ups (``suggestions``)
and text. The presenter turns them into the wire stream:

* every component gets an ``id`` unique in the turn, so later ``patch`` events can name it;
* an agent's sources become one ``citations`` component, sent before the answer's text;
* the answer's text goes through ``MarkupStream``: ``[n]`` becomes a ``citation`` event at that
  point of the text and a patch marking source *n* as cited (a citation of a source the turn
  does not have is dropped); ``{{job: ID}}`` becomes a ``job_card`` component (looked up with
  the ``get_job`` skill); ``{{chip: ...}}`` joins the follow-ups;
* follow-ups become one ``suggestion_chips`` component at the end.

Markup never reaches the member as text, however it is split across tokens or however it is
broken (see ``careerpilot.ui.markup``). Dropped markup is counted in ``dropped``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import Any

from careerpilot.errors import CareerpilotError
from careerpilot.pipeline.events import (
    CitationEvent,
    ComponentEvent,
    Event,
    PatchEvent,
    SuggestionsEvent,
    TextEvent,
)
from careerpilot.ui.components import Citations, Source, SuggestionChips
from careerpilot.ui.markup import Cite, Dropped, MarkupStream, Segment, Tag, Text

__all__ = ["JobCardLookup", "Presenter"]

log = logging.getLogger(__name__)

# Looks up a job by id and returns its card as a component dict.
JobCardLookup = Callable[[int], Awaitable[dict[str, Any]]]

MAX_CHIPS = 4


class Presenter:
    def __init__(self, job_card: JobCardLookup | None = None) -> None:
        self._job_card = job_card
        self._markup = MarkupStream()
        self._next_id = 0
        self._sources: list[Source] = []
        self._citations_id: str | None = None
        self._chips: list[str] = []
        self.dropped = 0

    def _component(self, component: dict[str, Any]) -> ComponentEvent:
        self._next_id += 1
        return ComponentEvent(id=f"c{self._next_id}", component=component)

    async def present(self, events: AsyncIterator[Event]) -> AsyncGenerator[Event, None]:
        async for event in events:
            if isinstance(event, CitationEvent):
                self._sources.append(
                    Source(
                        index=event.index,
                        title=event.title,
                        url=event.url,
                        snippet=event.snippet,
                    )
                )
                continue
            if self._sources and self._citations_id is None:
                yield self._citations()
            if isinstance(event, TextEvent):
                segments = self._markup.feed(event.delta)
                if (
                    len(segments) == 1
                    and isinstance(plain := segments[0], Text)
                    and plain.text == event.delta
                ):
                    yield event  # the common case, plain text: pass the event on as it is
                    continue
                for out in await self._segments(segments):
                    yield out
            elif isinstance(event, SuggestionsEvent):
                self._chips.extend(event.suggestions)
            elif isinstance(event, ComponentEvent):
                yield self._component(event.component)
            else:
                yield event
        if self._sources and self._citations_id is None:
            yield self._citations()
        for out in await self._segments(self._markup.close()):
            yield out
        chips = list(dict.fromkeys(c.strip() for c in self._chips if c.strip()))[:MAX_CHIPS]
        if chips:
            card = SuggestionChips(chips=chips, text="Try: " + " · ".join(chips))
            yield self._component(card.model_dump())

    def _citations(self) -> ComponentEvent:
        text = "Sources: " + "; ".join(f"[{s.index}] {s.title}" for s in self._sources)
        event = self._component(Citations(sources=self._sources, text=text).model_dump())
        self._citations_id = event.id
        return event

    async def _segments(self, segments: list[Segment]) -> list[Event]:
        out: list[Event] = []
        for segment in segments:
            if isinstance(segment, Text):
                out.append(TextEvent(delta=segment.text))
            elif isinstance(segment, Cite):
                out.extend(self._cite(segment.indexes))
            elif isinstance(segment, Tag):
                out.extend(await self._tag(segment))
            elif isinstance(segment, Dropped):
                self.dropped += 1
                log.debug("dropped markup %r: %s", segment.raw[:80], segment.reason)
        return out

    def _cite(self, indexes: tuple[int, ...]) -> list[Event]:
        out: list[Event] = []
        for index in indexes:
            position = next((i for i, s in enumerate(self._sources) if s.index == index), None)
            if position is None or self._citations_id is None:
                self.dropped += 1  # a source the turn does not have: an invented citation
                continue
            source = self._sources[position]
            if not source.cited:
                source.cited = True
                out.append(
                    PatchEvent(
                        id=self._citations_id,
                        op="set",
                        path=f"sources.{position}.cited",
                        value=True,
                    )
                )
            out.append(
                CitationEvent(
                    index=index, title=source.title, url=source.url, snippet=source.snippet
                )
            )
        return out

    async def _tag(self, tag: Tag) -> list[Event]:
        if tag.kind == "chip":
            self._chips.append(tag.value)
            return []
        if tag.kind == "job" and self._job_card is not None:
            try:
                return [self._component(await self._job_card(int(tag.value)))]
            except CareerpilotError as exc:  # no such job: the card is simply not shown
                log.info("job card %s not shown: %s", tag.value, exc.message)
        self.dropped += 1
        return []
