"""The labelled retrieval set: size, coverage, ground truth and determinism."""

from __future__ import annotations

from collections import Counter
from importlib import resources
from pathlib import Path

import pytest

from careerpilot.config import NetworkSize
from careerpilot.evals import Case
from careerpilot.evals.retrieval_set import (
    DATA_FILE,
    MAX_RELEVANT,
    MIN_RELEVANT,
    SEED,
    build_relevance_set,
    load_relevance_set,
    relevance_set_json,
    write_relevance_set,
)
from careerpilot.network.generator import Network, generate_network
from careerpilot.network.taxonomy import base_title
from careerpilot.skills.corpus import load_corpus

KINDS = {"jobs", "posts", "people", "knowledge", "fit_me"}


@pytest.fixture(scope="module")
def network() -> Network:
    return generate_network(SEED, NetworkSize())  # what `careerpilot data seed` writes


@pytest.fixture(scope="module")
def cases(network: Network) -> list[Case]:
    return build_relevance_set(network)


def test_size_and_every_kind(cases: list[Case]) -> None:
    assert len(cases) >= 200
    counts = Counter(c.kind for c in cases)
    assert set(counts) == KINDS
    assert all(n >= 36 for n in counts.values()), counts
    assert len({c.id for c in cases}) == len(cases)
    assert len({(c.query.lower(), c.member_id, str(c.filter)) for c in cases}) == len(cases)


def test_grades_and_sizes(cases: list[Case]) -> None:
    for case in cases:
        assert set(case.relevant.values()) <= {1, 2}, case.id
        assert 2 in case.relevant.values() or case.kind == "fit_me", case.id
        if case.kind != "knowledge":
            assert MIN_RELEVANT <= len(case.relevant) <= MAX_RELEVANT, case.id
        assert (case.member_id is not None) == (case.kind == "fit_me"), case.id
        assert set(case.filter or {}) <= {"location", "remote", "seniority", "company"}


def test_every_relevant_id_exists_in_the_default_network(
    network: Network, cases: list[Case]
) -> None:
    ids = {
        "jobs": {j.id for j in network.jobs},
        "fit_me": {j.id for j in network.jobs},
        "posts": {p.id for p in network.posts},
        "people": {m.id for m in network.members},
    }
    members = {m.id for m in network.members}
    for case in cases:
        if case.kind != "knowledge":
            assert set(case.relevant) <= ids[case.kind], case.id
        if case.member_id is not None:
            assert case.member_id in members


def test_knowledge_cases_point_at_real_articles(cases: list[Case]) -> None:
    articles = {a.id for a in load_corpus()}
    knowledge = [c for c in cases if c.kind == "knowledge"]
    assert len(knowledge) >= 36
    for case in knowledge:
        assert all(isinstance(d, str) for d in case.relevant)
        assert set(case.relevant) <= articles, case.id


def test_labels_follow_the_ground_truth(network: Network, cases: list[Case]) -> None:
    jobs = {j.id: j for j in network.jobs}
    posts = {p.id: p for p in network.posts}
    members = {m.id: m for m in network.members}
    for case in cases:
        best = [d for d, g in case.relevant.items() if g == 2]
        flt = case.filter or {}
        if case.kind == "jobs":
            for d in best:
                job = jobs[int(d)]
                assert flt.get("remote", job.remote) == job.remote, case.id
                assert flt.get("seniority", job.seniority) == job.seniority, case.id
                assert job.location.startswith(str(flt.get("location", ""))), case.id
            if case.id.startswith("role-"):  # by role: one family, one base title at grade 2
                assert len({jobs[int(d)].family for d in case.relevant}) == 1, case.id
                assert len({base_title(jobs[int(d)].title) for d in best}) == 1, case.id
        elif case.kind == "posts":
            assert len({posts[int(d)].topic for d in best}) == 1, case.id
        elif case.kind == "people":
            for d in case.relevant:
                member = members[int(d)]
                # At a company: its current staff. In a city: anyone whose latest role fits.
                if "company" in flt:
                    assert member.positions[0].end_date is None, case.id
                if "location" in flt:
                    assert member.location.startswith(str(flt["location"])), case.id
                if "company" in flt:
                    assert member.positions[0].company_name == flt["company"], case.id
            assert len({members[int(d)].positions[0].family for d in case.relevant}) == 1


def test_member_one_is_the_first_fit_me_case(network: Network, cases: list[Case]) -> None:
    first = next(c for c in cases if c.kind == "fit_me")
    assert first.member_id == 1
    held = set(network.members[0].skills)
    for d in first.relevant:
        assert len(held & set(network.jobs[int(d) - 1].required_skills)) >= 2


def test_committed_file_equals_a_fresh_build(cases: list[Case]) -> None:
    committed = resources.files("careerpilot.evals").joinpath("data", DATA_FILE).read_text()
    assert committed == relevance_set_json(cases), (
        "regenerate: python -m careerpilot.evals.retrieval_set"
    )
    assert load_relevance_set() == cases


def test_build_is_deterministic_and_round_trips(network: Network, cases: list[Case]) -> None:
    assert build_relevance_set(network) == cases
    assert [Case.from_dict(c.to_dict()) for c in cases] == cases


def test_write_relevance_set(tmp_path: Path) -> None:
    target = write_relevance_set(tmp_path / DATA_FILE)
    assert target.read_text() == relevance_set_json(load_relevance_set())
