"""The bundled evaluation cases: they load, are numerous and varied enough, and every page and
call they name exists in the default network.

The facts themselves are checked against the seeded network by
``scripts/make_eval_cases.py --check``, which regenerates the files from it.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from careerpilot.config import NetworkSize, Settings
from careerpilot.evals.cases import Case, bundled_cases_dir, load_cases
from careerpilot.network.taxonomy import FAMILIES
from careerpilot.routing.router import LABELS

FILES = {
    "job_assessment.yaml": "ja",
    "post_takeaways.yaml": "pt",
    "company.yaml": "co",
    "career_advice.yaml": "ca",
    "general.yaml": "ge",
    "out_of_scope.yaml": "oos",
    "multi_turn.yaml": "mt",
}
RUBRIC = {
    "grounded",
    "verdict",
    "names_gaps",
    "actionable",
    "cites_sources",
    "concise",
    "empathetic",
    "polite_refusal",
    "no_speculation",
}
# An argument naming a record -> the kind of record (NetworkSize field, page type).
ID_ARGS = {
    "job_id": "jobs",
    "member_id": "members",
    "post_id": "posts",
    "company_id": "companies",
}
PAGE_KINDS = {"job": "jobs", "post": "posts", "company": "companies"}


def _file_cases(name: str) -> list[Case]:
    raw = yaml.safe_load((bundled_cases_dir() / name).read_text(encoding="utf-8"))
    return [Case.model_validate(item) for item in raw["cases"]]


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return load_cases()


@pytest.fixture(scope="module")
def by_file() -> dict[str, list[Case]]:
    return {name: _file_cases(name) for name in FILES}


@pytest.fixture(scope="module")
def size() -> NetworkSize:
    """The default settings' network size (not the environment's): ids run 1..N per kind."""
    default = Settings.model_fields["network"].default_factory
    assert default is not None
    return default()  # type: ignore[call-arg]


def test_every_file_is_there_and_versioned() -> None:
    found = {p.name for p in Path(bundled_cases_dir()).glob("*.yaml")}
    assert set(FILES) <= found
    for name in FILES:
        raw: Any = yaml.safe_load((bundled_cases_dir() / name).read_text(encoding="utf-8"))
        assert raw["version"] == 1, name


def test_all_cases_load_with_unique_ids(cases: list[Case], by_file: dict[str, list[Case]]) -> None:
    assert len(cases) >= 170
    ids = [c.id for c in cases]
    assert len(ids) == len(set(ids))
    assert sum(len(v) for v in by_file.values()) == len(cases)  # nothing else is bundled
    for name, prefix in FILES.items():
        for case in by_file[name]:
            assert case.id.startswith(f"{prefix}-"), (name, case.id)


def test_every_agent_has_enough_cases(cases: list[Case], by_file: dict[str, list[Case]]) -> None:
    per_agent = Counter(c.agent for c in cases)
    assert set(per_agent) == set(LABELS)
    for label in LABELS:
        assert per_agent[label] >= 20, (label, per_agent[label])
    # Even without the conversations, each agent has its own 20.
    single = Counter(c.agent for name, v in by_file.items() if name != "multi_turn.yaml" for c in v)
    assert min(single[label] for label in LABELS) >= 20


def test_conversations(by_file: dict[str, list[Case]]) -> None:
    conversations = by_file["multi_turn.yaml"]
    assert len(conversations) >= 10
    assert all(2 <= len(c.turns) <= 3 for c in conversations)
    assert any(len(c.turns) == 3 for c in conversations)
    assert len({c.agent for c in conversations}) >= 4  # follow-ups end with several agents
    for name, v in by_file.items():
        if name != "multi_turn.yaml":
            assert all(len(c.turns) == 1 for c in v), name


def test_smoke_suite_covers_every_agent() -> None:
    smoke = load_cases("smoke")
    assert 24 <= len(smoke) <= 30
    per_agent = Counter(c.agent for c in smoke)
    assert set(per_agent) == set(LABELS)
    assert all(4 <= n <= 5 for n in per_agent.values()), per_agent


def test_critical_cases(cases: list[Case]) -> None:
    critical = [c for c in cases if c.critical]
    assert 8 <= len(critical) <= 15
    # Attempts to subvert the assistant must land out of scope.
    assert sum(c.agent == "out_of_scope" for c in critical) >= 4
    assert any(c.agent == "job_assessment" for c in critical)


def test_ids_exist_in_the_default_network(cases: list[Case], size: NetworkSize) -> None:
    def exists(kind: str, ident: Any) -> bool:
        return isinstance(ident, int) and 1 <= ident <= getattr(size, kind)

    for case in cases:
        assert exists("members", case.member_id), case.id
        for turn in case.turns:
            if turn.context is not None:
                assert exists(PAGE_KINDS[turn.context.type], turn.context.id), case.id
        for call in case.calls:
            for arg, value in call.args.items():
                if arg in ID_ARGS:
                    assert exists(ID_ARGS[arg], value), (case.id, call)
                elif arg == "family":
                    assert value in FAMILIES, (case.id, call)


def test_facts_skills_and_rubric(cases: list[Case]) -> None:
    for case in cases:
        assert case.rubric and set(case.rubric) <= RUBRIC, case.id
        assert len(case.rubric) == len(set(case.rubric)), case.id
        if case.agent == "out_of_scope":
            assert case.facts == [] and case.skills == [] and case.calls == [], case.id
            assert "polite_refusal" in case.rubric, case.id
            continue
        assert 1 <= len(case.facts) <= 3, case.id
        assert all(0 < len(f) <= 60 and f.strip() == f for f in case.facts), case.id
        assert case.skills, case.id
        assert {c.skill for c in case.calls} <= set(case.skills), case.id


def test_pages_and_calls_agree(cases: list[Case]) -> None:
    """A case on a page expects the agent to fetch that page's record."""
    fetch = {"job": ("get_job", "job_id"), "post": ("get_post", "post_id")}
    for case in cases:
        page = case.question.context
        if case.agent not in ("job_assessment", "post_takeaways", "career_advice"):
            continue
        if page is None or page.type not in fetch:
            continue
        skill, arg = fetch[page.type]
        if skill in case.skills:
            assert {"skill": skill, "args": {arg: page.id}} in [
                c.model_dump() for c in case.calls
            ], case.id


def test_jobs_named_in_words(by_file: dict[str, list[Case]]) -> None:
    """About ten fit questions name the job in words: looked up, then fetched by id."""
    named = [
        c
        for c in by_file["job_assessment.yaml"]
        if c.question.context is None and "search_jobs" in c.skills
    ]
    assert len(named) >= 10
    for case in named:
        assert set(case.skills) == {"search_jobs", "get_job", "get_member"}, case.id
        assert any(c.skill == "get_job" and "job_id" in c.args for c in case.calls), case.id


def test_wording_varies(cases: list[Case]) -> None:
    texts = [c.question.text for c in cases]
    assert len(set(texts)) >= len(texts) - 5
    assert len({c.member_id for c in cases}) >= 20
    with_page = Counter(c.question.context.type for c in cases if c.question.context)
    assert set(with_page) == {"job", "post", "company"}
    assert any(c.agent == "out_of_scope" and c.question.context for c in cases)
