"""The command line, run as a user would: a subprocess with the real embedded model."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from careerpilot.config import Settings
from careerpilot.pipeline.events import event_adapter
from careerpilot.server.auth import TokenSigner, load_or_create_key

CLI = [sys.executable, "-m", "careerpilot"]


def run(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CAREERPILOT_")}
    environ |= {"CAREERPILOT_DATA_DIR": str(data_dir), "COLUMNS": "120"} | env
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, env=environ, timeout=180, check=False
    )


def test_ask_json_streams_the_server_events(data_dir: Path) -> None:
    result = run(
        data_dir, "ask", "Am I a good fit for this job?", "--member", "1", "--job", "1", "--json"
    )
    assert result.returncode == 0, result.stderr
    events = [event_adapter.validate_json(line) for line in result.stdout.splitlines()]
    types = [e.type for e in events]
    assert types[0] == "route" and types[-1] == "done"
    fit = next(e for e in events if e.type == "component").component
    assert fit["type"] == "job_fit" and fit["job"]["job_id"] == 1
    text = "".join(e.delta for e in events if e.type == "text")
    assert len(text.split()) >= 5  # the real model wrote a narrative
    assert events[-1].usage["completion_tokens"] > 0


def test_ask_renders_the_fit_card_for_people(data_dir: Path) -> None:
    result = run(data_dir, "ask", "Should I apply?", "--job", "2")
    assert result.returncode == 0, result.stderr
    assert "Required, held" in result.stdout and "Relevant experience" in result.stdout
    assert "→ job_assessment" in result.stderr


@pytest.mark.parametrize(
    ("args", "env", "message", "code"),
    [
        (["ask", "Am I a fit?", "--job", "999999"], {}, "job 999999 does not exist", 1),
        (["ask", "Am I a fit?", "--member", "999999", "--job", "1"], {}, "member 999999", 1),
        (["ask", "   "], {}, "the question is empty", 1),
        (["ask", "hi", "--job", "1", "--post", "1"], {}, "at most one of", 2),
        (
            ["ask", "Am I a fit?", "--job", "1"],
            {"CAREERPILOT_LLM__MODEL_PATH": "/nowhere/model.gguf"},
            "/nowhere/model.gguf",
            1,
        ),
        (
            ["ask", "Am I a fit?", "--job", "1"],
            {
                "CAREERPILOT_LLM__BACKEND": "openai",
                "CAREERPILOT_LLM__BASE_URL": "http://127.0.0.1:9/v1",
            },
            "127.0.0.1:9",
            1,
        ),
    ],
)
def test_bad_input_gets_a_clear_message_not_a_traceback(
    data_dir: Path, args: list[str], env: dict[str, str], message: str, code: int
) -> None:
    result = run(data_dir, *args, **env)
    assert result.returncode == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_data_stats_and_token(data_dir: Path) -> None:
    stats = run(data_dir, "data", "stats")
    assert stats.returncode == 0
    assert "jobs" in stats.stdout and "250" in stats.stdout
    token = run(data_dir, "token", "--member", "3")
    assert token.returncode == 0
    signer = TokenSigner(load_or_create_key(Settings(data_dir=data_dir).signing_key_path), 60)
    assert signer.verify(token.stdout.strip()) == 3
    missing = run(data_dir, "token", "--member", "999999")
    assert missing.returncode == 1 and "member 999999 does not exist" in missing.stderr


def test_data_seed_is_deterministic(tmp_path: Path) -> None:
    sizes = ["--companies", "5", "--members", "20", "--jobs", "20", "--posts", "20"]
    first = run(tmp_path / "a", "data", "seed", *sizes)
    second = run(tmp_path / "b", "data", "seed", *sizes)
    assert first.returncode == 0 and second.returncode == 0, first.stderr
    import sqlite3

    def dump(path: Path) -> list[str]:
        with sqlite3.connect(path / "network.sqlite3") as conn:
            return [r[0] for r in conn.execute("SELECT doc FROM jobs ORDER BY id")]

    assert dump(tmp_path / "a") == dump(tmp_path / "b")
    assert json.loads(dump(tmp_path / "a")[0])["id"] == 1


def test_invalid_settings_are_named_without_a_traceback(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CAREERPILOT_DATA_DIR": str(tmp_path),
        "CAREERPILOT_CHAIN_OF_THOUGHT__MAX_TOKENS": "2",
        "CAREERPILOT_SERVER__PORT": "not-a-port",
    }
    done = subprocess.run(
        [sys.executable, "-m", "careerpilot", "ask", "hi"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "invalid settings" in done.stderr
    assert "chain_of_thought.max_tokens" in done.stderr and "server.port" in done.stderr
