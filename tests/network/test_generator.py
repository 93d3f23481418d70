"""The sample-network generator: determinism, id ranges, coherence rules and text variety."""

from __future__ import annotations

import datetime as dt
import random
import re
import statistics
import time
from collections import Counter
from itertools import pairwise

import pytest

from careerpilot.config import NetworkSize
from careerpilot.network.generator import (
    REFERENCE_DATE,
    REFERENCE_TIME,
    Network,
    generate_network,
)
from careerpilot.network.schemas import MemberRecord, Seniority
from careerpilot.network.taxonomy import (
    CITIES,
    EMPLOYMENT_TYPES,
    FAMILIES,
    INDUSTRIES,
    POST_TOPICS,
    REACTION_TYPES,
    SENIORITY_ORDER,
    base_title,
    check_consistency,
    families_for_industry,
    family_of_title,
    leveled_title,
    salary_band,
)
from careerpilot.network.text import money, past_tense, years_phrase

SIZE = NetworkSize(companies=30, members=200, jobs=300, posts=500)
SEED = 7


@pytest.fixture(scope="module")
def net() -> Network:
    return generate_network(SEED, SIZE)


def _families_worked(m: MemberRecord) -> set[str]:
    return {p.family for p in m.positions}


def _first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]


# --- taxonomy ---------------------------------------------------------------------------


def test_taxonomy_is_consistent_and_broad() -> None:
    assert check_consistency() == []
    assert len(FAMILIES) >= 12
    assert len(INDUSTRIES) >= 15
    assert len(CITIES) >= 30
    assert len(POST_TOPICS) >= 15
    for family in FAMILIES.values():
        assert 12 <= len(family.core_skills) <= 25, family.key
        assert all(k in FAMILIES for k in family.related)


def test_titles_round_trip_through_levels() -> None:
    rng = random.Random(0)
    for family in FAMILIES.values():
        for title in family.titles:
            for seniority in SENIORITY_ORDER:
                leveled = leveled_title(title, seniority, rng)
                assert family_of_title(leveled) == family.key
                assert base_title(leveled) == title
    with pytest.raises(KeyError):
        family_of_title("Chief Vibes Officer")


def test_past_tense_handles_verb_lists() -> None:
    assert past_tense("design and build services") == "designed and built services"
    assert past_tense("assess, plan and deliver care") == "assessed, planned and delivered care"
    assert past_tense("simplify complex workflows") == "simplified complex workflows"
    assert past_tense("lead the unit") == "led the unit"


# --- determinism and ids ----------------------------------------------------------------


def test_same_seed_same_network_and_another_seed_differs(net: Network) -> None:
    again = generate_network(SEED, SIZE)
    assert again == net
    other = generate_network(SEED + 1, SIZE)
    assert [m.name for m in other.members] != [m.name for m in net.members]
    assert [j.title for j in other.jobs] != [j.title for j in net.jobs]
    assert other.connections != net.connections


def test_ids_are_dense_from_one(net: Network) -> None:
    assert [c.id for c in net.companies] == list(range(1, SIZE.companies + 1))
    assert [m.id for m in net.members] == list(range(1, SIZE.members + 1))
    assert [j.id for j in net.jobs] == list(range(1, SIZE.jobs + 1))
    assert [p.id for p in net.posts] == list(range(1, SIZE.posts + 1))


def test_tiny_networks_still_generate() -> None:
    tiny = generate_network(3, NetworkSize(companies=1, members=2, jobs=1, posts=1))
    assert len(tiny.members) == 2 and len(tiny.jobs) == 1 and len(tiny.posts) == 1


# --- companies and jobs -----------------------------------------------------------------


def test_companies_are_coherent(net: Network) -> None:
    names = [c.name for c in net.companies]
    assert len(set(names)) == len(names)
    labels = {c.label for c in CITIES}
    for c in net.companies:
        assert c.industry in INDUSTRIES
        assert c.headquarters == c.locations[0]
        assert set(c.locations) <= labels
        assert len(set(c.locations)) == len(c.locations)
        assert set(c.specialties) <= set(INDUSTRIES[c.industry].specialties)
        assert c.name in c.description
        assert 1800 < c.founded_year <= REFERENCE_DATE.year


def test_jobs_are_coherent(net: Network) -> None:
    companies = {c.id: c for c in net.companies}
    from_family = 0
    total = 0
    for job in net.jobs:
        company = companies[job.company_id]
        family = FAMILIES[job.family]
        assert job.company_name == company.name
        assert family_of_title(job.title) == job.family
        assert company.industry in family.industries, (job.id, company.industry, job.family)
        assert 3 <= len(job.required_skills) <= 7
        assert 2 <= len(job.nice_to_have_skills) <= 5
        skills = job.required_skills + job.nice_to_have_skills
        assert len(set(skills)) == len(skills), "required and nice-to-have must be disjoint"
        from_family += sum(s in family.core_skills for s in skills)
        total += len(skills)
        low, high = salary_band(job.family, job.seniority)
        assert low <= job.salary_min < job.salary_max <= high
        assert job.salary_currency == "USD"
        assert job.employment_type in EMPLOYMENT_TYPES
        assert REFERENCE_DATE - dt.timedelta(days=89) <= job.posted_on <= REFERENCE_DATE
        assert job.applicant_count >= 0
        text = job.description
        for needle in (*skills, job.title, job.company_name, job.location):
            assert needle in text, (job.id, needle)
        assert years_phrase(job.seniority) in text
        assert job.seniority.value in text.lower()
        assert money(job.salary_min) in text and money(job.salary_max) in text
        assert ("remote" in text.lower()) or not job.remote
    assert from_family / total > 0.85


def test_jobs_spread_over_families_and_levels(net: Network) -> None:
    families = Counter(j.family for j in net.jobs)
    levels = Counter(j.seniority for j in net.jobs)
    assert len(families) >= 10
    assert set(levels) == set(Seniority)
    assert 0.05 < sum(j.remote for j in net.jobs) / len(net.jobs) < 0.5


# --- members ----------------------------------------------------------------------------


def test_member_careers_are_coherent(net: Network) -> None:
    companies = {c.id: c for c in net.companies}
    for m in net.members:
        ps = m.positions
        assert 1 <= len(ps) <= 6
        assert all(p.end_date is not None for p in ps[1:]), "only the latest may be current"
        for newer, older in pairwise(ps):
            assert older.end_date is not None and older.end_date < newer.start_date
        for p in ps:
            assert family_of_title(p.title) == p.family
            assert p.start_date <= REFERENCE_DATE
            assert p.end_date is None or p.start_date < p.end_date <= REFERENCE_DATE
            if p.company_id is not None:
                company = companies[p.company_id]
                assert p.company_name == company.name
                assert p.family in families_for_industry(company.industry)
        # Education ends before the career starts, at a plausible age.
        assert m.education
        assert ps[-1].start_date.year >= max(e.end_year for e in m.education)
        assert all(e.start_year < e.end_year for e in m.education)
        assert REFERENCE_DATE.year - min(e.start_year for e in m.education) + 18 <= 70
        assert m.industry in INDUSTRIES
        assert m.location in {c.label for c in CITIES}


def test_careers_stay_in_a_family_or_move_to_a_related_one(net: Network) -> None:
    def related(a: str, b: str) -> bool:
        return a == b or b in FAMILIES[a].related or a in FAMILIES[b].related

    steady = sum(
        all(related(o.family, n.family) for n, o in pairwise(m.positions)) for m in net.members
    )
    switchers = sum(len(_families_worked(m)) > 1 for m in net.members)
    assert steady / len(net.members) >= 0.9
    assert switchers > 0, "some members should have changed careers"


def test_member_skills_come_from_their_families(net: Network) -> None:
    own = total = 0
    for m in net.members:
        assert 6 <= len(m.skills) <= 20
        assert len(set(m.skills)) == len(m.skills)
        pool = {
            s
            for f in _families_worked(m)
            for s in (*FAMILIES[f].core_skills, *FAMILIES[f].soft_skills)
        }
        mine = sum(s in pool for s in m.skills)
        assert mine / len(m.skills) >= 0.7, m.id
        own += mine
        total += len(m.skills)
    assert own / total > 0.9


def test_member_profiles_agree_with_positions(net: Network) -> None:
    emails = [m.email for m in net.members]
    assert len(set(emails)) == len(emails)
    for m in net.members:
        latest = m.positions[0]
        assert latest.title in m.headline
        if latest.end_date is None and not m.open_to_work:
            assert latest.company_name in m.headline or latest.title in m.headline
        if latest.end_date is None:
            assert latest.location in (m.location, f"{m.location} (Remote)")
        else:
            assert m.open_to_work, "members between jobs are looking"
        if m.open_to_work:
            assert "open to" in m.headline.lower()
        last = re.sub(r"[^a-z]", "", m.last_name.lower())
        assert last[:4] in m.email.split("@")[0]
        assert m.phone
    current = sum(m.positions[0].end_date is None for m in net.members)
    assert 0.75 < current / len(net.members) < 0.98


# --- connections and posts --------------------------------------------------------------


def test_connections_are_unique_and_counted(net: Network) -> None:
    assert len(set(net.connections)) == len(net.connections)
    degree: Counter[int] = Counter()
    for a, b in net.connections:
        assert 1 <= a < b <= SIZE.members
        degree[a] += 1
        degree[b] += 1
    for m in net.members:
        assert m.connection_count == degree[m.id]
        assert 0 <= m.connection_count <= 150
    counts = sorted(m.connection_count for m in net.members)
    assert counts[-1] > 2 * statistics.median(counts), "degrees should be skewed"


def test_connections_prefer_colleagues_family_and_city(net: Network) -> None:
    by_id = {m.id: m for m in net.members}

    def close(a: MemberRecord, b: MemberRecord) -> bool:
        ca = {p.company_id for p in a.positions if p.company_id}
        cb = {p.company_id for p in b.positions if p.company_id}
        same_family = a.positions[0].family == b.positions[0].family
        return bool(ca & cb) or same_family or a.location == b.location

    near = sum(close(by_id[a], by_id[b]) for a, b in net.connections)
    assert near / len(net.connections) > 0.6


def test_posts_are_coherent(net: Network) -> None:
    members = {m.id: m for m in net.members}
    reacted: dict[int, Counter[str]] = {}
    for post_id, member_id, kind in net.reactions:
        reacted.setdefault(post_id, Counter())[kind] += 1
        assert member_id in members and kind in REACTION_TYPES
    pairs = [(p, m) for p, m, _ in net.reactions]
    assert len(set(pairs)) == len(pairs)
    authors = {p.id: p.author_id for p in net.posts}
    assert all(authors[p] != m for p, m in pairs), "nobody reacts to their own post"

    for post in net.posts:
        author = members[post.author_id]
        assert post.author_name == author.name
        assert post.author_headline == author.headline
        assert post.topic in POST_TOPICS
        paragraphs = post.body.split("\n\n")
        assert 3 <= len(paragraphs) <= 5 and all(p.strip() for p in paragraphs)
        assert "{" not in post.body and "}" not in post.title
        assert REFERENCE_TIME - dt.timedelta(days=365) < post.created_at <= REFERENCE_TIME
        counted = reacted.get(post.id, Counter())
        assert post.reactions == {k: v for k, v in counted.items() if v}
        assert sum(post.reactions.values()) == post.reaction_count
        if post.company_id is not None:
            latest = author.positions[0]
            assert latest.end_date is None and latest.company_id == post.company_id
    created = [p.created_at for p in net.posts]
    assert created == sorted(created), "ids follow time"
    tied = sum(p.company_id is not None for p in net.posts)
    assert 0.05 < tied / len(net.posts) < 0.6


# --- text variety -----------------------------------------------------------------------


def test_post_text_is_varied(net: Network) -> None:
    firsts = {_first_sentence(p.body) for p in net.posts}
    assert len(firsts) / len(net.posts) > 0.8
    assert len({p.body for p in net.posts}) == len(net.posts)
    assert len({p.title for p in net.posts}) / len(net.posts) > 0.3
    with_list = sum(bool(re.search(r"^(- |1\. )", p.body, re.M)) for p in net.posts)
    assert 0.1 < with_list / len(net.posts) < 0.6
    with_number = sum(bool(re.search(r"\d", p.body)) for p in net.posts)
    assert with_number / len(net.posts) > 0.5


def test_job_descriptions_use_several_structures(net: Network) -> None:
    texts = [j.description for j in net.jobs]
    facts_first = sum(t.startswith("Title: ") for t in texts)
    bulleted = sum("\n- " in t for t in texts)
    prose = sum("\n- " not in t and not t.startswith("Title: ") for t in texts)
    assert min(facts_first, bulleted, prose) > len(texts) / 10
    assert len({t.split("\n", 1)[0] for t in texts}) > len(texts) / 2


def test_profiles_are_varied(net: Network) -> None:
    summaries = {m.summary for m in net.members}
    assert len(summaries) == len(net.members)
    openings = {_first_sentence(m.summary) for m in net.members}
    assert len(openings) > len(net.members) / 2


# --- the demo pair ----------------------------------------------------------------------


def test_member_one_is_a_partial_fit_for_job_one(net: Network) -> None:
    member, job = net.members[0], net.jobs[0]
    current = member.positions[0]
    assert current.end_date is None
    assert job.family == current.family
    assert job.company_id != current.company_id
    held = set(member.skills)
    matched = [s for s in job.required_skills if s in held]
    assert 2 <= len(matched) < len(job.required_skills), "some skills, some gaps"
    assert any(s not in held for s in job.nice_to_have_skills)
    assert member.connection_count > 0


@pytest.mark.slow
def test_default_size_is_fast_and_consistent() -> None:
    started = time.perf_counter()
    big = generate_network(42, NetworkSize())
    elapsed = time.perf_counter() - started
    assert elapsed < 30, f"default size took {elapsed:.1f}s"
    assert len(big.members) == NetworkSize().members and len(big.posts) == NetworkSize().posts
    degree: Counter[int] = Counter()
    for a, b in big.connections:
        degree[a] += 1
        degree[b] += 1
    assert all(m.connection_count == degree[m.id] <= 150 for m in big.members)
    assert len({(p, m) for p, m, _ in big.reactions}) == len(big.reactions)
