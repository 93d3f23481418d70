import datetime as dt

import pytest

from careerpilot.agents.job_fit import assess_fit, normalise_skill, relevant_years
from careerpilot.network.schemas import Job, Member, Position, Seniority

TODAY = dt.date(2026, 11, 1)


def position(title: str, family: str, start: str, end: str | None) -> Position:
    return Position(
        title=title,
        family=family,
        company_id=1,
        company_name="Acme",
        location="Berlin",
        start_date=dt.date.fromisoformat(start),
        end_date=dt.date.fromisoformat(end) if end else None,
        description="",
    )


def member(skills: list[str], positions: list[Position]) -> Member:
    return Member(
        id=1,
        first_name="Ada",
        last_name="Lovelace",
        headline="Engineer",
        summary="",
        location="Berlin",
        industry="Software",
        positions=positions,
        education=[],
        skills=skills,
        open_to_work=True,
    )


def job(required: list[str], nice: list[str], seniority: Seniority = Seniority.SENIOR) -> Job:
    return Job(
        id=1,
        title="Senior Backend Engineer",
        family="software_engineering",
        company_id=1,
        company_name="Acme",
        location="Berlin",
        remote=False,
        seniority=seniority,
        employment_type="full_time",
        salary_min=100,
        salary_max=200,
        salary_currency="USD",
        required_skills=required,
        nice_to_have_skills=nice,
        description="",
        posted_on=TODAY,
        applicant_count=3,
    )


def test_skills_are_split_into_matched_missing_and_extras() -> None:
    m = member(["python", "Postgres", "Docker"], [])
    j = job(["Python", "PostgreSQL", "Kubernetes"], ["Docker", "Terraform"])
    fit = assess_fit(m, j, (), TODAY)
    assert fit.matched_required == ["Python", "PostgreSQL"]
    assert fit.missing_required == ["Kubernetes"]
    assert fit.nice_to_have_held == ["Docker"]
    assert fit.nice_to_have_missing == ["Terraform"]


def test_aliases_and_spacing_normalise() -> None:
    assert normalise_skill("  K8s ") == "kubernetes"
    assert normalise_skill("Node.js") == normalise_skill("nodejs")
    assert normalise_skill("Machine   Learning") == "machine learning"


def test_overlapping_positions_are_not_double_counted() -> None:
    ps = [
        position("Backend Engineer", "software_engineering", "2020-01-01", "2024-01-01"),
        position("Freelance Developer", "software_engineering", "2022-01-01", "2023-01-01"),
    ]
    years, counted = relevant_years(ps, "software_engineering", (), TODAY)
    assert years == pytest.approx(4.0, abs=0.05)
    assert len(counted) == 2


def test_related_family_counts_half_and_unrelated_not_at_all() -> None:
    ps = [
        position("Data Analyst", "data_science", "2018-01-01", "2022-01-01"),
        position("Chef", "hospitality", "2010-01-01", "2018-01-01"),
    ]
    years, counted = relevant_years(ps, "software_engineering", {"data_science"}, TODAY)
    assert years == pytest.approx(2.0, abs=0.05)
    assert [p.title for p in counted] == ["Data Analyst"]


def test_current_position_runs_until_today() -> None:
    ps = [position("Backend Engineer", "software_engineering", "2021-11-01", None)]
    years, _ = relevant_years(ps, "software_engineering", (), TODAY)
    assert years == pytest.approx(5.0, abs=0.05)


def test_experience_band_and_verdict() -> None:
    ps = [position("Backend Engineer", "software_engineering", "2025-11-01", None)]
    junior = member(["Python", "SQL"], ps)
    fit = assess_fit(junior, job(["Python", "SQL"], ["Go"], Seniority.SENIOR), (), TODAY)
    assert fit.experience == "below"
    assert fit.required_years == (5, 9)
    assert fit.verdict in {"good", "partial"}
    full = member(
        ["Python", "SQL", "Go"], [position("Eng", "software_engineering", "2019-01-01", None)]
    )
    strong = assess_fit(full, job(["Python", "SQL"], ["Go"], Seniority.SENIOR), (), TODAY)
    assert strong.experience == "within"
    assert strong.verdict == "strong"
    assert strong.score == 1.0
    assert strong.score > fit.score


def test_no_skills_at_all_is_weak() -> None:
    fit = assess_fit(member([], []), job(["Python", "SQL", "Go"], ["Docker"]), (), TODAY)
    assert fit.verdict == "weak"
    assert fit.matched_required == []
    assert fit.score == 0.0
