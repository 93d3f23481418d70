"""The LLM judge goes through the endpoint pool: its endpoint (``[tasks] judge``, or a legacy
``[eval] judge``), fallback chain, cost accounting, and its own llama.cpp instance."""

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from careerpilot.config import EvalSettings, LLMSettings, Settings, TaskEndpoints
from careerpilot.errors import ConfigurationError, ModelError
from careerpilot.evals.judge import (
    LEGACY_JUDGE_ENDPOINT,
    LLMJudge,
    judge_settings,
    pooled_judge,
)
from careerpilot.llm.base import ChatMessage
from careerpilot.llm.pool import EndpointPool
from careerpilot.llm.testing import ScriptedModel

JUDGE = '{"quality": 4, "groundedness": 5, "coherence": 4, "style": 3, "rai_violation": false}'


def endpoint(model: str, **extra: object) -> LLMSettings:
    return LLMSettings(backend="openai", model=model, **extra)  # type: ignore[arg-type]


def pool_of(settings: Settings, models: dict[str, ScriptedModel]) -> EndpointPool:
    """A pool whose endpoints' backends are the scripted models named by their ``model``."""
    return EndpointPool(settings, make_model=lambda s: models[s.model])


def failing_over(tmp_path: Path, **extra: object) -> Settings:
    """The judge on endpoint "a", which falls back to "b" (priced); "default" is the narrator."""
    return Settings(
        data_dir=tmp_path,
        llm=endpoint("narrator"),
        endpoints={
            "a": endpoint("a", fallback=["b"], breaker_failures=1, breaker_cooldown_s=60),
            "b": endpoint("b", price_prompt_per_1k=0.5, price_completion_per_1k=2.0),
        },
        **extra,  # type: ignore[arg-type]
    )


async def test_a_failing_judge_endpoint_falls_back_and_the_fallback_is_charged(
    tmp_path: Path,
) -> None:
    models = {
        "narrator": ScriptedModel("narrator"),
        "a": ScriptedModel(ModelError("a is down")),
        "b": ScriptedModel(JUDGE),
    }
    settings = judge_settings(failing_over(tmp_path, tasks=TaskEndpoints(judge="a")))
    judge = LLMJudge(pooled_judge(pool_of(settings, models)), max_tokens=48)
    scores = await judge.score("Am I a fit?", "facts", "Yes.")
    assert scores is not None and (scores.quality, scores.groundedness, scores.style) == (4, 5, 3)
    assert len(models["a"].calls) == 1 and len(models["b"].calls) == 1
    assert models["narrator"].calls == []
    assert await judge.score("Again?", "facts", "Yes.") is not None
    assert len(models["a"].calls) == 1  # its circuit opened: the second call went straight to b
    # Only what "b" answered is spent, at its price; the ledger is the judge's own.
    assert set(judge.ledger.by_endpoint) == {"b"}
    spend = judge.ledger.by_endpoint["b"]
    assert spend.calls == 2 and spend.completion_tokens == 2 * 10  # ten "words" per reply
    expected = (spend.prompt_tokens * 0.5 + spend.completion_tokens * 2.0) / 1000
    assert judge.ledger.cost_usd == pytest.approx(expected) and expected > 0


def test_a_legacy_eval_judge_becomes_the_judge_tasks_endpoint(tmp_path: Path) -> None:
    legacy = endpoint("legacy", fallback=["b"])
    settings = failing_over(tmp_path, eval=EvalSettings(judge=legacy))
    adjusted = judge_settings(settings)
    assert adjusted.tasks.judge == LEGACY_JUDGE_ENDPOINT
    assert adjusted.endpoints[LEGACY_JUDGE_ENDPOINT] == legacy
    assert settings.tasks.judge == "default" and LEGACY_JUDGE_ENDPOINT not in settings.endpoints
    assert adjusted.tasks.generator == "default" and adjusted.llm == settings.llm
    models = {m: ScriptedModel(m) for m in ("narrator", "legacy", "a", "b")}
    model = pooled_judge(pool_of(adjusted, models))
    assert [e.name for e in model.chain] == [LEGACY_JUDGE_ENDPOINT, "b"]
    assert model.primary is models["legacy"]


async def test_a_legacy_eval_judge_that_fails_falls_back_too(tmp_path: Path) -> None:
    legacy = endpoint("legacy", fallback=["b"])
    settings = judge_settings(failing_over(tmp_path, eval=EvalSettings(judge=legacy)))
    models = {
        "narrator": ScriptedModel("narrator"),
        "legacy": ScriptedModel(ModelError("legacy is down")),
        "b": ScriptedModel(JUDGE),
    }
    judge = LLMJudge(pooled_judge(pool_of(settings, models)))
    assert await judge.score("q", "f", "a") is not None
    assert set(judge.ledger.by_endpoint) == {"b"}


def test_judge_endpoint_precedence(tmp_path: Path) -> None:
    # No legacy table: the settings as they are ([tasks] judge, "default" unless set).
    plain = failing_over(tmp_path)
    assert judge_settings(plain) is plain
    # [tasks] judge naming an endpoint wins over a legacy [eval] judge.
    both = failing_over(
        tmp_path, tasks=TaskEndpoints(judge="a"), eval=EvalSettings(judge=endpoint("x"))
    )
    assert judge_settings(both) is both
    models = {m: ScriptedModel(m) for m in ("narrator", "a", "b")}
    assert pooled_judge(pool_of(judge_settings(both), models)).endpoint == "a"
    # The legacy endpoint's name must be free.
    taken = Settings(
        data_dir=tmp_path,
        endpoints={LEGACY_JUDGE_ENDPOINT: endpoint("x")},
        eval=EvalSettings(judge=endpoint("y")),
    )
    with pytest.raises(ConfigurationError, match=r"eval\.judge"):
        judge_settings(taken)


@pytest.mark.parametrize("per_agent_models", [True, False])
def test_on_llamacpp_the_judge_has_its_own_instance_on_the_shared_endpoint(
    tmp_path: Path, per_agent_models: bool
) -> None:
    made: list[ScriptedModel] = []

    def make(settings: LLMSettings) -> ScriptedModel:
        made.append(ScriptedModel(name=f"llamacpp:{len(made)}"))
        return made[-1]

    llm = LLMSettings(backend="llamacpp", model_path=None, per_agent_models=per_agent_models)
    pool = EndpointPool(Settings(data_dir=tmp_path, llm=llm), make_model=make)
    narrator = pool.for_task("generator", key="general" if per_agent_models else None)
    judge = pooled_judge(pool)
    assert judge.primary is not narrator.primary  # the narrator's KV prefix stays its own
    # ... on the same endpoint: its slots, breaker and fallbacks are the assistant's.
    assert judge.chain[0] is narrator.chain[0] and judge.endpoint == "default"
    assert len(made) == 2


def test_on_a_server_the_judge_shares_the_endpoints_client(tmp_path: Path) -> None:
    models = {"narrator": ScriptedModel("narrator")}
    pool = pool_of(Settings(data_dir=tmp_path, llm=endpoint("narrator")), models)
    assert pooled_judge(pool).primary is pool.for_task("generator").primary is models["narrator"]


CASES = """
version: 1
cases:
- id: pooled-judge-1
  turns: [{text: "What is a notice period?"}]
  agent: general
  suites: [pooled_judge]
"""


def echo_facts(messages: Sequence[ChatMessage]) -> str:
    return messages[-1].content.splitlines()[0]


async def test_eval_run_judges_through_the_assistants_pool(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``careerpilot eval run``'s judge is the pool's judge task: "a" fails, "b" answers and
    its cost is in the results."""
    from careerpilot.cli import eval_suite
    from careerpilot.llm import factory

    models = {
        "narrator": ScriptedModel(echo_facts),
        "a": ScriptedModel(ModelError("a is down"), name="openai:a"),
        "b": ScriptedModel(JUDGE),
    }
    monkeypatch.setattr(factory, "create_chat_model", lambda s: models[s.model])
    pooled = failing_over(tmp_path, tasks=TaskEndpoints(judge="a"))
    run_settings = settings.model_copy(
        update={"llm": pooled.llm, "endpoints": pooled.endpoints, "tasks": pooled.tasks}
    )
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "mine.yaml").write_text(CASES, encoding="utf-8")
    out = tmp_path / "out"

    doc = await eval_suite._run(run_settings, "pooled_judge", out, False, True, [folder])

    (item,) = doc["items"]  # type: ignore[attr-defined]
    assert item["metrics"]["judge.quality"] == 4.0 and item["metrics"]["judge.unparsed"] == 0.0
    assert len(models["a"].calls) == 1 and len(models["b"].calls) == 1
    assert models["narrator"].calls  # the narrator answered on "default"
    assert doc["judge"] == "openai:a"  # the primary endpoint's backend, as before the pool
    spend = doc["judge_spend"]
    assert isinstance(spend, dict) and set(spend) == {"b"}
    assert spend["b"]["calls"] == 1 and spend["b"]["cost_usd"] > 0
    assert json.loads((out / "results.json").read_text())["judge_spend"] == spend
