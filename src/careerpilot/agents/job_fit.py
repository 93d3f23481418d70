"""How well a member fits a job, computed from their profile and the posting: no LLM involved.

The figures here are what the ``job_fit`` component shows and what the narrative must rely on.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from careerpilot.network.schemas import Job, Member, Position
from careerpilot.network.taxonomy import SKILL_ALIASES

__all__ = ["FitAssessment", "assess_fit", "normalise_skill", "relevant_years"]

# Spellings members and recruiters use for the same skill, in normalised (lower-case) form.
_ALIASES = {alias.lower(): name.lower() for alias, name in SKILL_ALIASES.items()} | {
    "node": "node.js",
    "nodejs": "node.js",
    "react.js": "react",
    "reactjs": "react",
    "ms excel": "microsoft excel",
}

# Experience in a related family counts for this share of a year.
RELATED_FAMILY_WEIGHT = 0.5


def normalise_skill(skill: str) -> str:
    key = re.sub(r"\s+", " ", skill.strip().lower())
    return _ALIASES.get(key, key)


@dataclass(frozen=True, slots=True)
class FitAssessment:
    matched_required: list[str]
    missing_required: list[str]
    nice_to_have_held: list[str]
    nice_to_have_missing: list[str]
    relevant_years: float
    required_years: tuple[int, int | None]
    experience: str  # below | within | above
    relevant_positions: list[str]
    score: float
    verdict: str  # strong | good | partial | weak


def _merged_years(spans: Iterable[tuple[dt.date, dt.date]]) -> float:
    """Total length of the union of date spans, so overlapping jobs are not counted twice."""
    total_days = 0
    current: tuple[dt.date, dt.date] | None = None
    for start, end in sorted(spans):
        if current is None or start > current[1]:
            if current is not None:
                total_days += (current[1] - current[0]).days
            current = (start, end)
        else:
            current = (current[0], max(current[1], end))
    if current is not None:
        total_days += (current[1] - current[0]).days
    return total_days / 365.25


def relevant_years(
    positions: Iterable[Position], family: str, related: Collection[str], today: dt.date
) -> tuple[float, list[Position]]:
    """Years in the job's family, plus a discounted share of years in related families."""
    same: list[tuple[dt.date, dt.date]] = []
    near: list[tuple[dt.date, dt.date]] = []
    counted: list[Position] = []
    for p in positions:
        span = (p.start_date, min(p.end_date or today, today))
        if span[1] <= span[0]:
            continue
        if p.family == family:
            same.append(span)
            counted.append(p)
        elif p.family in related:
            near.append(span)
            counted.append(p)
    years = _merged_years(same) + RELATED_FAMILY_WEIGHT * _merged_years(near)
    return round(years, 1), counted


def _experience_band(years: float, wanted: tuple[int, int | None]) -> str:
    low, high = wanted
    if years < low:
        return "below"
    if high is not None and years > high:
        return "above"
    return "within"


def assess_fit(
    member: Member, job: Job, related_families: Collection[str], today: dt.date
) -> FitAssessment:
    held = {normalise_skill(s) for s in member.skills}
    matched = [s for s in job.required_skills if normalise_skill(s) in held]
    missing = [s for s in job.required_skills if normalise_skill(s) not in held]
    nice_held = [s for s in job.nice_to_have_skills if normalise_skill(s) in held]
    nice_missing = [s for s in job.nice_to_have_skills if normalise_skill(s) not in held]
    years, positions = relevant_years(member.positions, job.family, related_families, today)
    wanted = job.seniority.years_range
    experience = _experience_band(years, wanted)

    required_cover = len(matched) / len(job.required_skills) if job.required_skills else 1.0
    nice_cover = len(nice_held) / len(job.nice_to_have_skills) if job.nice_to_have_skills else 0.0
    # Falling short of the minimum years costs in proportion; being over-qualified costs a little.
    if experience == "below":
        exp_score = years / wanted[0] if wanted[0] else 1.0
    elif experience == "above":
        exp_score = 0.85
    else:
        exp_score = 1.0
    score = round(0.6 * required_cover + 0.25 * exp_score + 0.15 * nice_cover, 2)
    if score >= 0.8 and not missing:
        verdict = "strong"
    elif score >= 0.7:
        verdict = "good"
    elif score >= 0.45:
        verdict = "partial"
    else:
        verdict = "weak"
    labels = [
        f"{p.title} at {p.company_name} "
        f"({_merged_years([(p.start_date, p.end_date or today)]):.1f} y)"
        for p in positions
    ]
    return FitAssessment(
        matched_required=matched,
        missing_required=missing,
        nice_to_have_held=nice_held,
        nice_to_have_missing=nice_missing,
        relevant_years=years,
        required_years=wanted,
        experience=experience,
        relevant_positions=labels,
        score=score,
        verdict=verdict,
    )
