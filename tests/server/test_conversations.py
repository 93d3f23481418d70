"""The HTTP contract, against a real uvicorn server on loopback with a scripted model."""

import json
import time
from collections.abc import Iterator

import httpx
import pytest

from careerpilot.config import Settings
from careerpilot.llm.testing import ScriptedModel
from conftest import ServerThread, auth, parse_sse

NARRATIVE = "You hold most required skills; the main gap is one missing skill."


@pytest.fixture
def server(settings: Settings) -> Iterator[ServerThread]:
    with ServerThread(settings, ScriptedModel(NARRATIVE, delay_s=0.02)) as running:
        yield running


def test_requests_without_a_valid_token_get_401(server: ServerThread) -> None:
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic abc"}):
        response = httpx.post(f"{server.url}/v1/conversations", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthenticated"


def test_a_turn_streams_over_sse_and_is_stored(server: ServerThread, settings: Settings) -> None:
    headers = auth(settings, 1)
    conversation = httpx.post(f"{server.url}/v1/conversations", headers=headers)
    assert conversation.status_code == 201
    cid = conversation.json()["id"]
    body = {"text": "Am I a good fit for this job?", "context": {"type": "job", "id": 1}}
    with httpx.stream(
        "POST", f"{server.url}/v1/conversations/{cid}/messages", json=body, headers=headers
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        raw = "".join(response.iter_text())
    events = parse_sse(raw)
    assert all(name == data["type"] for name, data in events)
    names = [name for name, _ in events]
    assert names[0] == "route" and names[-1] == "done"
    assert "component" in names and "text" in names
    stored = httpx.get(f"{server.url}/v1/conversations/{cid}", headers=headers).json()
    user, answer = stored["messages"]
    assert user["role"] == "user" and user["context"] == {"type": "job", "id": 1}
    assert answer["status"] == "complete" and answer["agent"] == "job_assessment"
    assert answer["text"] == NARRATIVE
    assert [e["type"] for e in answer["events"]] == names
    assert answer["timings"]["ttft_ms"] > 0
    # another member cannot see it, nor post to it
    other = auth(settings, 2)
    assert httpx.get(f"{server.url}/v1/conversations/{cid}", headers=other).status_code == 404
    posted = httpx.post(f"{server.url}/v1/conversations/{cid}/messages", json=body, headers=other)
    assert posted.status_code == 404


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"text": ""}, 422),
        ({"text": "  "}, 422),
        ({"text": "x" * 4001}, 413),
        ({"txt": "hello"}, 422),
        ({"text": "hi", "context": {"type": "planet", "id": 1}}, 422),
    ],
)
def test_bad_messages_get_typed_errors_and_store_nothing(
    server: ServerThread, settings: Settings, payload: dict, status: int
) -> None:
    headers = auth(settings, 1)
    cid = httpx.post(f"{server.url}/v1/conversations", headers=headers).json()["id"]
    response = httpx.post(
        f"{server.url}/v1/conversations/{cid}/messages", json=payload, headers=headers
    )
    assert response.status_code == status
    assert response.json()["error"]["code"] in {"invalid_input", "invalid_question"}
    stored = httpx.get(f"{server.url}/v1/conversations/{cid}", headers=headers).json()
    assert stored["messages"] == []


def test_malformed_json_is_422(server: ServerThread, settings: Settings) -> None:
    headers = auth(settings, 1) | {"Content-Type": "application/json"}
    cid = httpx.post(f"{server.url}/v1/conversations", headers=headers).json()["id"]
    response = httpx.post(
        f"{server.url}/v1/conversations/{cid}/messages", content=b"{not json", headers=headers
    )
    assert response.status_code == 422


def test_disconnect_mid_answer_is_stored_as_interrupted(
    settings: Settings,
) -> None:
    slow = ScriptedModel("token " * 200, delay_s=0.02)
    with ServerThread(settings, slow) as server:
        headers = auth(settings, 1)
        cid = httpx.post(f"{server.url}/v1/conversations", headers=headers).json()["id"]
        body = {"text": "Am I a good fit for this job?", "context": {"type": "job", "id": 1}}
        with httpx.stream(
            "POST", f"{server.url}/v1/conversations/{cid}/messages", json=body, headers=headers
        ) as response:
            seen = ""
            for chunk in response.iter_text():
                seen += chunk
                if seen.count("event: text") >= 3:
                    break
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            messages = httpx.get(f"{server.url}/v1/conversations/{cid}", headers=headers).json()[
                "messages"
            ]
            if len(messages) == 2:
                break
            time.sleep(0.05)
        answer = messages[1]
        assert answer["status"] == "interrupted"
        assert answer["text"].startswith("token token token")
        assert answer["events"][-1]["type"] != "done"
        assert slow.closed_early == 1 and slow.completed == 0


def test_health_schema_and_network_api_on_the_same_server(server: ServerThread) -> None:
    assert httpx.get(f"{server.url}/healthz").json()["status"] == "ok"
    schema = httpx.get(f"{server.url}/v1/ui/schema").json()
    assert "job_fit" in json.dumps(schema) and schema["version"]
    assert httpx.get(f"{server.url}/api/v1/jobs/1").json()["id"] == 1
    # The served network API ranks with the assistant's own search stack.
    matches = httpx.get(f"{server.url}/api/v1/members/1/job-matches")
    assert matches.status_code == 200 and matches.json()["items"]


def test_stop_cancels_the_turn_and_stores_it_as_interrupted(settings: Settings) -> None:
    slow = ScriptedModel("token " * 200, delay_s=0.05)
    with ServerThread(settings, slow) as server:
        headers = auth(settings, 1)
        cid = httpx.post(f"{server.url}/v1/conversations", headers=headers).json()["id"]
        stop_url = f"{server.url}/v1/conversations/{cid}/stop"
        assert httpx.post(stop_url, headers=headers).json() == {"stopped": False}  # nothing runs
        body = {"text": "Am I a good fit for this job?", "context": {"type": "job", "id": 1}}
        with httpx.stream(
            "POST", f"{server.url}/v1/conversations/{cid}/messages", json=body, headers=headers
        ) as response:
            seen, stopped_at = "", None
            for chunk in response.iter_text():
                seen += chunk
                if stopped_at is None and seen.count("event: text") >= 3:
                    # A second message while this one streams is refused, not interleaved.
                    busy = httpx.post(
                        f"{server.url}/v1/conversations/{cid}/messages", json=body, headers=headers
                    )
                    assert busy.status_code == 409
                    assert httpx.post(stop_url, headers=headers).json() == {"stopped": True}
                    stopped_at = time.monotonic()
            ended_after = time.monotonic() - (stopped_at or 0)
        events = parse_sse(seen)
        assert events[-1][0] == "error" and events[-1][1]["code"] == "stopped"
        # The stream ended long before the model's remaining 190 tokens (9.5 s) would have.
        assert ended_after < 2.0
        assert slow.closed_early == 1 and slow.completed == 0
        answer = httpx.get(f"{server.url}/v1/conversations/{cid}", headers=headers).json()[
            "messages"
        ][1]
        assert answer["status"] == "interrupted"
        assert answer["text"].startswith("token token token")
        assert answer["events"][-1]["type"] == "error"
        # Another member cannot stop it (or see that it exists).
        other = httpx.post(stop_url, headers=auth(settings, 2))
        assert other.status_code == 404


def test_dev_sign_in_issues_a_working_token(server: ServerThread) -> None:
    signed = httpx.post(f"{server.url}/v1/dev/sign-in", json={"member_id": 2})
    assert signed.status_code == 200
    body = signed.json()
    assert body["member_id"] == 2 and body["name"].strip()
    headers = {"Authorization": f"Bearer {body['token']}"}
    created = httpx.post(f"{server.url}/v1/conversations", headers=headers)
    assert created.status_code == 201
    assert httpx.post(f"{server.url}/v1/dev/sign-in", json={"member_id": 10**6}).status_code == 404
    assert httpx.post(f"{server.url}/v1/dev/sign-in", json={"member_id": 0}).status_code == 422


def test_the_chat_page_is_served(server: ServerThread) -> None:
    page = httpx.get(f"{server.url}/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "careerpilot" in page.text


def test_dev_sign_in_can_be_turned_off(settings: Settings) -> None:
    settings.server.dev_sign_in = False
    with ServerThread(settings, ScriptedModel(NARRATIVE)) as server:
        assert httpx.post(f"{server.url}/v1/dev/sign-in", json={"member_id": 2}).status_code == 404


def test_a_question_that_cannot_be_stored_gets_no_answer(
    server: ServerThread, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = auth(settings, 1)
    cid = httpx.post(f"{server.url}/v1/conversations", headers=headers).json()["id"]
    store = server.server.config.app.state.careerpilot.store

    async def disk_full(*_args: object) -> tuple[int, int]:
        raise OSError("database or disk is full")

    monkeypatch.setattr(store, "begin_turn", disk_full)
    body = {"text": "Am I a good fit for this job?", "context": {"type": "job", "id": 1}}
    response = httpx.post(
        f"{server.url}/v1/conversations/{cid}/messages", json=body, headers=headers
    )
    events = parse_sse(response.text)
    assert [name for name, _ in events] == ["error"]
    assert events[0][1]["code"] == "storage_error" and events[0][1]["retryable"] is True
    monkeypatch.undo()
    # neither the question nor an answer was stored, and the conversation is free again
    assert (
        httpx.get(f"{server.url}/v1/conversations/{cid}", headers=headers).json()["messages"] == []
    )
    again = httpx.post(f"{server.url}/v1/conversations/{cid}/messages", json=body, headers=headers)
    assert [name for name, _ in parse_sse(again.text)][-1] == "done"
