"""End-to-end evaluation on the real pipeline with scripted models: run, cache, report,
compare, gate and export."""

import copy
import json
from pathlib import Path

import pytest

from careerpilot.config import Settings
from careerpilot.evals.cases import load_cases
from careerpilot.evals.compare import gate
from careerpilot.evals.evaluators import claims, default_evaluators
from careerpilot.evals.export import sft_records
from careerpilot.evals.judge import JudgeEvaluator, LLMJudge
from careerpilot.evals.report import render_report
from careerpilot.evals.results import load_results, write_results
from careerpilot.evals.runner import RunCache, run_suite
from careerpilot.llm.base import ChatMessage
from careerpilot.llm.testing import ScriptedModel
from careerpilot.pipeline.assistant import Assistant
from careerpilot.retrieval.embedder import OnnxEmbedder

CASES = """
version: 1
cases:
- id: fit-1
  turns: [{text: "Am I a good fit for this job?", context: {type: job, id: 1}}]
  agent: job_assessment
  skills: [get_job, get_member]
  calls: [{skill: get_job, args: {job_id: 1}}]
  facts: [JOB_TITLE]
  rubric: [verdict]
  critical: true
  suites: [smoke]
- id: general-1
  turns: [{text: "What is a notice period?"}]
  agent: general
  skills: [web_search]
  facts: [notice period]
  suites: [smoke]
- id: oos-1
  turns: [{text: "Give me a recipe for lasagna"}]
  agent: out_of_scope
- id: follow-1
  turns:
  - {text: "Am I a good fit for this job?", context: {type: job, id: 1}}
  - {text: "What does a notice period mean?"}
  agent: general
  skills: [web_search]
"""


def echo_facts(messages: list[ChatMessage]) -> str:
    """A grounded answer: the first line of the facts the agent sent."""
    return messages[-1].content.splitlines()[0]


@pytest.fixture
async def assistant(settings: Settings, embedder: OnnxEmbedder):
    opened = await Assistant.open(settings, model=ScriptedModel(echo_facts), embedder=embedder)
    yield opened
    await opened.aclose()


@pytest.fixture
async def cases(tmp_path: Path, assistant: Assistant):
    repository = assistant.network_repository
    assert repository is not None
    title = (await repository.get_job(1)).title
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "mine.yaml").write_text(CASES.replace("JOB_TITLE", title), encoding="utf-8")
    return load_cases("full", [folder], bundled=False)


JUDGE = '{"quality": 4, "groundedness": 5, "coherence": 4, "style": 4, "rai_violation": false}'


async def test_a_suite_runs_evaluates_and_caches(
    assistant: Assistant, cases, tmp_path: Path
) -> None:
    judge_model = ScriptedModel(JUDGE)
    evaluators = [*default_evaluators(), JudgeEvaluator(LLMJudge(judge_model))]
    cache = RunCache(tmp_path / "cache")
    items = await run_suite(assistant, cases, evaluators, cache=cache)
    by_id = {item.id: item for item in items}
    assert all(item.metrics["router.correct"] == 1.0 for item in items), {
        i.id: i.agent for i in items
    }
    fit = by_id["fit-1"].metrics
    assert fit["schema.skills_recall"] == 1.0 and fit["schema.calls_correct"] == 1.0
    assert fit["grounded.facts"] == 1.0  # the job title is on the card and in the text
    assert fit["grounded.supported"] == 1.0  # the echoed facts are all backed
    assert fit["judge.quality"] == 4.0 and fit["judge.rai_violation"] == 0.0
    assert fit["latency.ttft_ms"] is not None
    assert by_id["oos-1"].metrics["schema.skills_recall"] is None  # expects no skill
    assert by_id["follow-1"].agent == "general"  # the last turn is the evaluated one
    assert by_id["fit-1"].prompt and by_id["fit-1"].prompt[0]["role"] == "system"

    backend = assistant.model.primary  # type: ignore[attr-defined]  # the model behind the pool
    calls = len(backend.calls)
    judged = len(judge_model.calls)
    again = await run_suite(assistant, cases, evaluators, cache=cache)
    assert all(item.cached for item in again)
    assert len(backend.calls) == calls and len(judge_model.calls) == judged
    assert [i.metrics for i in again] == [i.metrics for i in items]

    doc = write_results(tmp_path / "out", "full", items, {"model": "scripted", "judge": "s"})
    assert load_results(tmp_path / "out")["aggregate"]["router"]["accuracy"] == 1.0
    html = render_report(doc)
    assert (
        "<svg" in html
        and "true \\ routed" in html
        and "fit-1" not in html.split("items to look at")[1]
    )


async def test_invented_claims_are_listed(assistant: Assistant, cases, tmp_path: Path) -> None:
    assistant.model = ScriptedModel("You fit 87% of it, like Zorblax Industries said.")
    items = await run_suite(assistant, cases[:1], default_evaluators(), cache=RunCache(None))
    notes, metrics = items[0].notes, items[0].metrics
    assert set(notes["unsupported"]) >= {"87", "Zorblax Industries"}
    assert metrics["grounded.supported"] is not None and metrics["grounded.supported"] < 0.5


def test_claims_are_numbers_skills_and_names() -> None:
    found = claims("You have SQL and Python at Callahan & Pierce; it asks 5-9 years. Focus on it.")
    assert found == ["5", "9", "SQL", "Python", "Callahan & Pierce"]


def results_doc(values: dict[str, list[float]], critical: set[str] = frozenset()) -> dict:
    ids = [f"c{i}" for i in range(len(next(iter(values.values()))))]
    items = [
        {
            "id": item,
            "critical": item in critical,
            "metrics": {metric: column[i] for metric, column in values.items()},
        }
        for i, item in enumerate(ids)
    ]
    return {"items": items}


def test_the_gate_fails_on_significant_regressions_only() -> None:
    base = results_doc({"router.correct": [1.0] * 30, "judge.quality": [4.0] * 30})
    assert gate(base, copy.deepcopy(base)).passed
    one_miss = copy.deepcopy(base)
    one_miss["items"][3]["metrics"]["router.correct"] = 0.0
    assert gate(base, one_miss).passed  # one item of 30: within the noise
    broken = copy.deepcopy(base)
    for item in broken["items"][:12]:
        item["metrics"]["router.correct"] = 0.0
    result = gate(base, broken)
    assert not result.passed and "router.correct" in result.failures[0]


def test_a_critical_item_fails_the_gate_alone() -> None:
    base = results_doc({"router.correct": [1.0] * 30}, critical={"c3"})
    one_miss = copy.deepcopy(base)
    one_miss["items"][3]["metrics"]["router.correct"] = 0.0
    result = gate(base, one_miss)
    assert not result.passed and "c3" in result.failures[0]


def test_judge_regressions_count_by_agreement_with_humans() -> None:
    base = results_doc({"judge.quality": [4.0] * 30})
    worse = results_doc({"judge.quality": [2.0] * 30})
    unknown = gate(base, worse)
    assert unknown.passed and "warning only" in unknown.warnings[0]
    assert gate(base, worse, agreement={"quality": 0.2}).passed
    assert not gate(base, worse, agreement={"quality": 0.7}).passed


def test_export_sft_keeps_well_rated_answers_only() -> None:
    good = {
        "id": "a",
        "agent": "general",
        "text": "A grounded answer [1].",
        "prompt": [{"role": "system", "content": "s"}, {"role": "user", "content": "q"}],
        "metrics": {
            "router.correct": 1.0,
            "judge.quality": 5.0,
            "judge.groundedness": 5.0,
            "judge.coherence": 4.0,
            "judge.style": 4.0,
            "judge.rai_violation": 0.0,
            "grounded.supported": 1.0,
        },
    }
    poor = copy.deepcopy(good) | {"id": "b"}
    poor["metrics"]["judge.quality"] = 2.0
    lines = list(sft_records({"items": [good, poor], "suite": "x", "model": "m"}))
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert [m["role"] for m in record["messages"]] == ["system", "user", "assistant"]
    assert record["metadata"]["case"] == "a"
    assert list(sft_records({"items": [good]}, human_scores={"a": 2.0})) == []


async def test_pairwise_preference_survives_the_order_swap_or_is_a_tie() -> None:
    # A judge that always prefers whatever comes first has only position bias: a tie.
    biased = LLMJudge(ScriptedModel('{"better": "A"}'))
    first = await biased.prefer("q", "facts", "answer one", "answer two")
    assert (first.winner, first.consistent) == ("tie", False)
    # A judge that prefers the same answer in both orders: A first, then B once swapped.
    consistent = LLMJudge(ScriptedModel(['{"better": "A"}', '{"better": "B"}']))
    preference = await consistent.prefer("q", "facts", "good answer", "bad answer")
    assert (preference.winner, preference.consistent) == ("A", True)
    # An unreadable reply counts as no preference, never as a guess.
    broken = LLMJudge(ScriptedModel(["I like the first one", '{"better": "B"}']))
    assert (await broken.prefer("q", "f", "a", "b")).winner == "tie"


async def test_the_judge_reads_sloppy_replies_and_refuses_garbage() -> None:
    sloppy = LLMJudge(
        ScriptedModel("```json\n{quality: 4, groundedness: '5', coherence: 4, style: 3}\n```")
    )
    scores = await sloppy.score("q", "f", "a")
    assert scores is not None and (scores.quality, scores.groundedness) == (4, 5)
    assert await LLMJudge(ScriptedModel("no idea")).score("q", "f", "a") is None


async def test_pairwise_over_two_runs_judges_only_changed_answers() -> None:
    def run(*texts: str) -> dict:
        return {
            "items": [
                {"id": f"c{i}", "question": "q", "text": t, "components": []}
                for i, t in enumerate(texts)
            ]
        }

    from careerpilot.evals.judge import pairwise

    judge = LLMJudge(ScriptedModel(['{"better": "B"}', '{"better": "A"}']))
    tally = await pairwise(judge, run("same", "old"), run("same", "new"))
    assert tally == {"A": 0, "B": 1, "tie": 0, "inconsistent": 0, "compared": 1}
