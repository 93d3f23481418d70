"""LLM faults through a real server: a dead endpoint fails over to the next one, and a stalled
one runs into the turn's deadline. The endpoints are small OpenAI-compatible SSE servers."""

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.responses import StreamingResponse

from careerpilot.config import LLMSettings, Settings
from conftest import ServerThread, auth, free_port, parse_sse

ANSWER = "The spare endpoint answered this one."


def openai_server(stall: bool) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def completions() -> StreamingResponse:
        async def events() -> AsyncIterator[str]:
            if stall:
                await asyncio.sleep(3600)
            for word in ANSWER.split(" "):
                chunk = {"choices": [{"index": 0, "delta": {"content": word + " "}}]}
                yield f"data: {json.dumps(chunk)}\n\n"
            usage = {"prompt_tokens": 100, "completion_tokens": 6, "total_tokens": 106}
            yield f"data: {json.dumps({'choices': [], 'usage': usage})}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    return app


@pytest.fixture
def endpoint(request: pytest.FixtureRequest) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(openai_server(request.param == "stall"), port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}/v1"
    server.should_exit = True
    thread.join(timeout=10)


def ask(server: ServerThread, settings: Settings) -> tuple[list[tuple[str, dict]], float]:
    headers = auth(settings, 1)
    cid = httpx.post(f"{server.url}/v1/conversations", headers=headers).json()["id"]
    body = {"text": "Am I a good fit for this job?", "context": {"type": "job", "id": 1}}
    started = time.monotonic()
    response = httpx.post(
        f"{server.url}/v1/conversations/{cid}/messages", json=body, headers=headers, timeout=60
    )
    return parse_sse(response.text), time.monotonic() - started


@pytest.mark.parametrize("endpoint", ["ok"], indirect=True)
def test_a_dead_endpoint_fails_over_to_the_next(settings: Settings, endpoint: str) -> None:
    dead = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    configured = settings.model_copy(
        update={
            "llm": LLMSettings(
                backend="openai", base_url=dead, structured_output="none", fallback=["spare"]
            ),
            "endpoints": {
                "spare": LLMSettings(backend="openai", base_url=endpoint, structured_output="none")
            },
        }
    )
    with ServerThread(configured, None) as server:
        events, _ = ask(server, configured)
        assert events[-1][0] == "done", events[-1]
        text = "".join(data["delta"] for name, data in events if name == "text")
        assert text.strip() == ANSWER
        metrics = httpx.get(f"{server.url}/metrics").text
    fallbacks = [
        line
        for line in metrics.splitlines()
        if line.startswith("careerpilot_llm_fallbacks_total") and 'endpoint="default"' in line
    ]
    assert fallbacks and float(fallbacks[0].rsplit(" ", 1)[1]) >= 1


@pytest.mark.parametrize("endpoint", ["stall"], indirect=True)
def test_a_stalled_endpoint_runs_into_the_turn_deadline(settings: Settings, endpoint: str) -> None:
    configured = settings.model_copy(
        update={
            "llm": LLMSettings(backend="openai", base_url=endpoint, structured_output="none"),
            "turn_deadline_s": 2.0,
        }
    )
    with ServerThread(configured, None) as server:
        events, seconds = ask(server, configured)
    names = [name for name, _ in events]
    assert "component" in names  # the fit card was sent before the model was asked
    error = events[-1]
    assert error[0] == "error" and error[1]["code"] == "deadline_exceeded"
    assert error[1]["retryable"] is True
    assert seconds < 10
