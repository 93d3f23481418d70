"""Internal APIs that fail: optional data is left out with a notice, required data ends the turn
with a typed, retryable error. The failures come from the HTTP layer (a 500, a timeout)."""

from collections.abc import AsyncIterator

import httpx
import pytest

from careerpilot.agents.base import PageContext
from careerpilot.config import Settings
from careerpilot.llm.testing import ScriptedModel
from careerpilot.pipeline.assistant import Assistant
from careerpilot.pipeline.events import Event
from careerpilot.retrieval.embedder import OnnxEmbedder


class FailingApi(httpx.AsyncBaseTransport):
    """The network API, except that some paths answer 500 and others time out."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.error_500: set[str] = set()
        self.timeout: set[str] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path in self.error_500:
            return httpx.Response(500, json={"detail": "boom"}, request=request)
        if path in self.timeout:
            raise httpx.ReadTimeout("the API did not answer", request=request)
        return await self.inner.handle_async_request(request)


@pytest.fixture
async def assistant(settings: Settings, embedder: OnnxEmbedder) -> AsyncIterator[Assistant]:
    opened = await Assistant.open(
        settings, model=ScriptedModel("A solid company."), embedder=embedder
    )
    opened.http._transport = FailingApi(opened.http._transport)
    yield opened
    await opened.aclose()


def api(assistant: Assistant) -> FailingApi:
    transport = assistant.http._transport
    assert isinstance(transport, FailingApi)
    return transport


async def turn(assistant: Assistant, question: str, page: PageContext) -> list[Event]:
    return [e async for e in assistant.turn(question, 1, page)]


async def test_a_company_answer_goes_on_without_jobs_and_posts_and_says_so(
    assistant: Assistant,
) -> None:
    api(assistant).error_500.add("/api/v1/jobs")
    api(assistant).timeout.add("/api/v1/posts")
    events = await turn(assistant, "Tell me about this company", PageContext(type="company", id=2))
    assert events[-1].type == "done", events[-1]
    failed = {e.skill: e.duration_ms for e in events if e.type == "status" and e.state == "failed"}
    assert set(failed) == {"search_jobs", "search_posts"}
    assert all(ms is not None and ms > 0 for ms in failed.values())  # timed like successes
    components = [e.component for e in events if e.type == "component"]
    card = next(c for c in components if c["type"] == "company_card")
    assert card["open_jobs"] is None and card["recent_posts"] == []  # unknown, not zero
    assert card["members_on_network"] is not None  # people still loaded
    notice = next(c for c in components if c["type"] == "notice")
    assert notice["level"] == "warning"
    assert "open jobs" in notice["text"] and "recent posts" in notice["text"]
    prompt = assistant.model.primary.last_messages[-1].content  # type: ignore[attr-defined]
    assert "Open jobs on the network: unknown" in prompt
    assert "".join(e.delta for e in events if e.type == "text") == "A solid company."


async def test_required_data_that_fails_ends_the_turn_with_a_retryable_error(
    assistant: Assistant,
) -> None:
    api(assistant).error_500.add("/api/v1/members/1")
    events = await turn(assistant, "Am I a good fit for this job?", PageContext(type="job", id=1))
    error = events[-1]
    assert error.type == "error" and error.code == "skill_error" and error.retryable
    assert "500" in error.message
