"""A server killed with SIGKILL mid-turn loses no stored message: on restart the question is
there and its answer is marked interrupted."""

import os
import signal
from pathlib import Path

import httpx

from careerpilot.config import Settings
from conftest import auth, server_process

SLOW_ANSWER = 'ScriptedModel("word " * 400, delay_s=0.05)'  # 20 s: time to kill it mid-way


def test_sigkill_mid_turn_keeps_the_question_and_marks_the_answer_interrupted(
    settings: Settings, tmp_path: Path
) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'app.sqlite3'}"
    headers = auth(settings, 1)
    body = {"text": "Am I a good fit for this job?", "context": {"type": "job", "id": 1}}
    with server_process(settings, database_url, SLOW_ANSWER) as (url, pid):
        cid = httpx.post(f"{url}/v1/conversations", headers=headers).json()["id"]
        texts = 0
        with httpx.stream(
            "POST", f"{url}/v1/conversations/{cid}/messages", json=body, headers=headers
        ) as response:
            for line in response.iter_lines():
                texts += line == "event: text"
                if texts == 5:
                    os.kill(pid, signal.SIGKILL)
                    break
    with server_process(settings, database_url, SLOW_ANSWER) as (url, _pid):
        stored = httpx.get(f"{url}/v1/conversations/{cid}", headers=headers).json()
        question, answer = stored["messages"]
        assert question["role"] == "user" and question["text"] == body["text"]
        assert answer["role"] == "assistant" and answer["status"] == "interrupted"
        # the conversation goes on
        again = httpx.post(f"{url}/v1/conversations/{cid}/stop", headers=headers).json()
        assert again == {"stopped": False}
        with httpx.stream(
            "POST",
            f"{url}/v1/conversations/{cid}/messages",
            json={"text": "What skills am I missing?", "context": body["context"]},
            headers=headers,
            timeout=60,
        ) as response:
            events = []
            for line in response.iter_lines():
                if line.startswith("event: "):
                    events.append(line)
                if line == "event: text":
                    break
        assert events[0] == "event: route" and events[-1] == "event: text"
