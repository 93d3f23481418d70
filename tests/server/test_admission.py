"""Admission control and per-member rate limits: 429 with Retry-After, places given back."""

import asyncio
import threading

import httpx
import pytest

from careerpilot.config import ServerSettings, Settings
from careerpilot.llm.testing import ScriptedModel
from careerpilot.server.admission import MemberRateLimiter, TurnAdmission
from conftest import ServerThread, auth, parse_sse


async def test_admission_bounds_concurrent_turns_and_waits_only_briefly() -> None:
    admission = TurnAdmission(limit=2, wait_s=0.05)
    first, second = await admission.admit(), await admission.admit()
    assert first is not None and second is not None and admission.active == 2
    assert await admission.admit() is None  # waited 50 ms, no place freed up
    assert admission.rejected == 1 and admission.retry_after_s() >= 1
    waiter = asyncio.create_task(admission.admit())
    await asyncio.sleep(0.01)
    first.release()
    first.release()  # idempotent
    third = await waiter
    assert third is not None and admission.active == 2


def test_the_rate_limiter_allows_a_burst_then_the_average_rate() -> None:
    now = [0.0]
    limiter = MemberRateLimiter(per_minute=6, burst=2, clock=lambda: now[0])
    assert limiter.take(1) == 0 and limiter.take(1) == 0
    assert limiter.take(1) == pytest.approx(10.0)  # one message every 10 s
    assert limiter.take(2) == 0  # members have their own buckets
    now[0] = 10.0
    assert limiter.take(1) == 0 and limiter.take(1) > 0


def _post(server: ServerThread, headers: dict[str, str], cid: str) -> httpx.Response:
    body = {"text": "Am I a good fit for this job?", "context": {"type": "job", "id": 1}}
    return httpx.post(
        f"{server.url}/v1/conversations/{cid}/messages", json=body, headers=headers, timeout=60
    )


def test_beyond_the_bound_a_message_gets_429_with_retry_after(settings: Settings) -> None:
    limited = settings.model_copy(
        update={"server": ServerSettings(max_concurrent_turns=1, admission_wait_s=0.2)}
    )
    with ServerThread(limited, ScriptedModel("word " * 40, delay_s=0.05)) as server:
        headers = auth(limited, 1)
        first, second = (
            httpx.post(f"{server.url}/v1/conversations", headers=headers).json()["id"]
            for _ in range(2)
        )
        streaming = threading.Thread(target=lambda: _post(server, headers, first))
        streaming.start()
        deadline = 0
        while not server.server.config.app.state.careerpilot.running and deadline < 200:
            threading.Event().wait(0.02)
            deadline += 1
        refused = _post(server, headers, second)
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "overloaded"
        assert int(refused.headers["Retry-After"]) >= 1
        streaming.join()
        # the place was given back when the first stream ended; nothing of the refused one
        # was stored
        again = _post(server, headers, second)
        assert again.status_code == 200 and parse_sse(again.text)[-1][0] == "done"
        stored = httpx.get(f"{server.url}/v1/conversations/{second}", headers=headers).json()
        assert [m["role"] for m in stored["messages"]] == ["user", "assistant"]


def test_a_member_past_the_rate_limit_gets_429(settings: Settings) -> None:
    limited = settings.model_copy(
        update={"server": ServerSettings(member_messages_per_minute=1, member_message_burst=2)}
    )
    with ServerThread(limited, ScriptedModel("Fine.")) as server:
        headers = auth(limited, 1)
        cid = httpx.post(f"{server.url}/v1/conversations", headers=headers).json()["id"]
        assert _post(server, headers, cid).status_code == 200
        assert _post(server, headers, cid).status_code == 200
        limited_response = _post(server, headers, cid)
        assert limited_response.status_code == 429
        assert limited_response.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(limited_response.headers["Retry-After"]) <= 60
        # another member is not affected
        other = auth(limited, 2)
        cid2 = httpx.post(f"{server.url}/v1/conversations", headers=other).json()["id"]
        assert _post(server, other, cid2).status_code == 200


def test_a_member_past_the_daily_token_budget_gets_429_until_midnight(
    settings: Settings,
) -> None:
    # One answer to a job question uses a few hundred tokens (prompt and completion).
    limited = settings.model_copy(update={"member_daily_token_budget": 50})
    with ServerThread(limited, ScriptedModel("You fit.")) as server:
        headers = auth(limited, 1)
        cid = httpx.post(f"{server.url}/v1/conversations", headers=headers).json()["id"]
        first = _post(server, headers, cid)
        assert first.status_code == 200 and parse_sse(first.text)[-1][0] == "done"
        spent = _post(server, headers, cid)
        assert spent.status_code == 429
        assert spent.json()["error"]["code"] == "budget_exceeded"
        assert 1 <= int(spent.headers["Retry-After"]) <= 24 * 3600
        # the budget is the member's own
        other = auth(limited, 2)
        cid2 = httpx.post(f"{server.url}/v1/conversations", headers=other).json()["id"]
        assert _post(server, other, cid2).status_code == 200
