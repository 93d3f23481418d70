"""The endpoint pool: fallback, saturation, circuit breakers, timeouts, deadline, budget, cost."""

import asyncio
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest

from careerpilot.config import LLMSettings, Settings, TaskEndpoints
from careerpilot.deadline import deadline_scope
from careerpilot.errors import (
    BudgetExceededError,
    ConfigurationError,
    DeadlineExceededError,
    ModelError,
    ModelUnavailableError,
)
from careerpilot.llm.accounting import TurnLedger, ledger_scope
from careerpilot.llm.base import ChatMessage, Chunk, GenerationOptions, Usage, complete
from careerpilot.llm.pool import EndpointPool
from careerpilot.llm.testing import ScriptedModel

QUESTION = [ChatMessage("user", "hello")]


class Backend:
    """A backend with a behaviour per call: "ok", "down", "stall" (before the first token),
    "cut" (fails after two tokens) or "hang" (stalls after two tokens)."""

    def __init__(self, name: str, behaviours: Sequence[str], delay_s: float = 0.0) -> None:
        self.name = name
        self.behaviours = list(behaviours)
        self.delay_s = delay_s
        self.calls = 0
        self.active = 0
        self.peak = 0

    async def stream(
        self, messages: Sequence[ChatMessage], options: GenerationOptions | None = None
    ) -> AsyncIterator[Chunk]:
        behaviour = self.behaviours[min(self.calls, len(self.behaviours) - 1)]
        self.calls += 1
        self.active += 1
        self.peak = max(self.peak, self.active)
        try:
            if behaviour == "down":
                raise ModelError(f"{self.name} is down")
            if behaviour == "stall":
                await asyncio.sleep(3600)
            for n, word in enumerate(["one ", "two ", "three"]):
                if n == 2 and behaviour == "cut":
                    raise ModelError(f"{self.name} dropped the connection")
                if n == 2 and behaviour == "hang":
                    await asyncio.sleep(3600)
                await asyncio.sleep(self.delay_s)
                yield Chunk(delta=word)
            yield Chunk(delta="", usage=Usage(prompt_tokens=1000, completion_tokens=3))
        finally:
            self.active -= 1


async def read_into(seen: list[str], chunks: AsyncIterator[Chunk]) -> None:
    async for chunk in chunks:
        seen.append(chunk.delta)


def pool_of(tmp_path: Path, backends: dict[str, Backend], **limits: object) -> EndpointPool:
    """A pool whose "default" endpoint falls back to "spare" (when there is one)."""
    defaults = {"backend": "openai", "first_token_timeout_s": 0.2, "stall_timeout_s": 0.2}
    fallback = ["spare"] if "spare" in backends else []
    primary = LLMSettings(**{**defaults, **limits, "model": "default", "fallback": fallback})
    spares = {
        name: LLMSettings(
            **{
                **defaults,
                "model": name,
                "price_prompt_per_1k": 0.5,
                "price_completion_per_1k": 2.0,
            }
        )
        for name in backends
        if name != "default"
    }
    settings = Settings(data_dir=tmp_path, llm=primary, endpoints=spares)
    return EndpointPool(settings, make_model=lambda s: backends[s.model])  # type: ignore[arg-type,return-value]


async def test_a_failure_before_the_first_token_fails_over_to_the_next_endpoint(
    tmp_path: Path,
) -> None:
    backends = {"default": Backend("default", ["down"]), "spare": Backend("spare", ["ok"])}
    pool = pool_of(tmp_path, backends)
    ledger = TurnLedger()
    with ledger_scope(ledger):
        answer = await complete(pool.for_task("generator"), QUESTION)
    assert answer.text == "one two three"
    assert backends["default"].calls == 1 and backends["spare"].calls == 1
    # the spare's tokens are charged to it at its price: 1000 * 0.5/1k + 3 * 2/1k
    assert ledger.by_endpoint["spare"].prompt_tokens == 1000
    assert ledger.cost_usd == pytest.approx(0.5 + 0.006)


async def test_a_first_token_timeout_fails_over_too(tmp_path: Path) -> None:
    backends = {"default": Backend("default", ["stall"]), "spare": Backend("spare", ["ok"])}
    answer = await complete(pool_of(tmp_path, backends).for_task("generator"), QUESTION)
    assert answer.text == "one two three"


async def test_after_the_first_token_a_failure_ends_the_answer(tmp_path: Path) -> None:
    for behaviour in ("cut", "hang"):
        backends = {"default": Backend("d", [behaviour]), "spare": Backend("s", ["ok"])}
        model = pool_of(tmp_path, backends).for_task("generator")
        seen: list[str] = []
        with pytest.raises(ModelError, match="failed mid-answer"):
            await read_into(seen, model.stream(QUESTION))
        assert seen == ["one ", "two "]  # what was streamed stays; nothing is restarted
        assert backends["spare"].calls == 0


async def test_the_circuit_opens_and_later_calls_skip_the_endpoint(tmp_path: Path) -> None:
    backends = {"default": Backend("default", ["down"]), "spare": Backend("spare", ["ok"])}
    pool = pool_of(tmp_path, backends, breaker_failures=2, breaker_cooldown_s=60)
    model = pool.for_task("generator")
    for _ in range(5):
        assert (await complete(model, QUESTION)).text == "one two three"
    assert backends["default"].calls == 2  # then its circuit was open
    assert pool.endpoints["default"].breaker.state == "open"
    assert backends["spare"].calls == 5


async def test_when_every_endpoint_fails_the_error_names_each(tmp_path: Path) -> None:
    backends = {"default": Backend("default", ["down"]), "spare": Backend("spare", ["stall"])}
    with pytest.raises(ModelUnavailableError, match=r"default: .*down.*; spare: no token"):
        await complete(pool_of(tmp_path, backends).for_task("generator"), QUESTION)


async def test_the_concurrency_limit_holds_and_a_saturated_endpoint_passes_work_on(
    tmp_path: Path,
) -> None:
    backends = {
        "default": Backend("default", ["ok"], delay_s=0.05),
        "spare": Backend("spare", ["ok"]),
    }
    pool = pool_of(tmp_path, backends, max_concurrency=2, queue_timeout_s=0.02)
    model = pool.for_task("generator")
    answers = await asyncio.gather(*(complete(model, QUESTION) for _ in range(6)))
    assert {a.text for a in answers} == {"one two three"}
    assert backends["default"].peak == 2 and backends["default"].calls == 2
    assert backends["spare"].calls == 4  # the others did not wait past the queue timeout
    assert pool.endpoints["default"].breaker.state == "closed"  # saturation is not a failure


async def test_each_turn_records_its_wait_for_a_slot_and_how_long_it_held_one(
    tmp_path: Path,
) -> None:
    backends = {"default": Backend("default", ["ok"], delay_s=0.05)}  # ~150 ms per answer
    pool = pool_of(tmp_path, backends, max_concurrency=1, first_token_timeout_s=5)
    model = pool.for_task("generator")

    async def turn() -> TurnLedger:
        ledger = TurnLedger()
        with ledger_scope(ledger):
            await complete(model, QUESTION)
        return ledger

    first, second = await asyncio.gather(turn(), turn())
    for ledger in (first, second):
        assert 0.14 < ledger.slot_hold_s < 0.5
    # One slot: the second turn waited while the first held it.
    waits = sorted(ledger.slot_wait_s for ledger in (first, second))
    assert waits[0] < 0.02 and waits[1] > 0.12
    timings = second.slot_timings()
    assert set(timings) == {"llm_wait_ms", "llm_hold_ms"}
    assert TurnLedger().slot_timings() == {}  # a turn without LLM calls reports none


async def test_the_turn_deadline_bounds_every_wait_and_is_not_an_endpoint_failure(
    tmp_path: Path,
) -> None:
    backends = {"default": Backend("default", ["stall"])}
    pool = pool_of(tmp_path, backends, first_token_timeout_s=30)
    started = asyncio.get_running_loop().time()
    with deadline_scope(0.1), pytest.raises(DeadlineExceededError):
        await complete(pool.for_task("generator"), QUESTION)
    assert asyncio.get_running_loop().time() - started < 1
    assert pool.endpoints["default"].breaker.state == "closed"
    assert backends["default"].active == 0  # the backend's stream was closed


async def test_the_token_budget_caps_and_then_refuses_calls(tmp_path: Path) -> None:
    model = ScriptedModel("a b c d e f g h")
    settings = Settings(data_dir=tmp_path)
    pool = EndpointPool(settings, model=model)
    # The prompt is estimated at 5 tokens (5 characters / 4 + 4 for the message); the scripted
    # backend then counts 1 prompt token and one per word.
    ledger = TurnLedger(budget_tokens=20)
    with ledger_scope(ledger):
        first = await complete(pool.for_task("generator"), QUESTION, GenerationOptions(100))
        assert model.calls[-1].options.max_tokens == 15 and first.text == "a b c d e f g h"
        capped = await complete(pool.for_task("generator"), QUESTION, GenerationOptions(100))
        assert model.calls[-1].options.max_tokens == 6 and capped.text == "a b c d e f"
        assert ledger.total_tokens == 16
        with pytest.raises(BudgetExceededError, match="20-token budget"):
            await complete(pool.for_task("generator"), QUESTION)


def test_unknown_endpoints_are_configuration_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="unknown"):
        EndpointPool(Settings(data_dir=tmp_path, llm=LLMSettings(fallback=["nowhere"])))
    with pytest.raises(ConfigurationError, match="task 'judge'"):
        EndpointPool(Settings(data_dir=tmp_path, tasks=TaskEndpoints(judge="nowhere")))
    with pytest.raises(ConfigurationError, match="default"):
        EndpointPool(Settings(data_dir=tmp_path, endpoints={"default": LLMSettings()}))


async def test_the_observer_hears_tokens_cost_and_fail_overs(tmp_path: Path) -> None:
    from careerpilot.observability.observer import TurnObserver

    observer = TurnObserver()
    backends = {"default": Backend("default", ["down"]), "spare": Backend("spare", ["ok"])}
    pool = pool_of(tmp_path, backends)
    pool.observer = observer
    await complete(pool.for_task("generator"), QUESTION)
    sample = observer.metrics.registry.get_sample_value
    labels = {"endpoint": "spare", "kind": "prompt"}
    assert sample("careerpilot_llm_tokens_total", labels) == 1000
    assert sample("careerpilot_cost_usd_total", {"endpoint": "spare"}) == pytest.approx(0.506)
    fallbacks = {"endpoint": "default", "reason": "ModelError"}
    assert sample("careerpilot_llm_fallbacks_total", fallbacks) == 1
