"""Members of the sample network: careers, education, skills and profile text.

A career is planned backwards from the reference date: total years of experience first, then
the months split into positions, then education ending just before the first position. This
keeps dates, levels and degrees consistent by construction instead of by repair.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from careerpilot.network.schemas import Company, Education, MemberRecord, Position, Seniority
from careerpilot.network.taxonomy import (
    CITIES,
    FAMILIES,
    UNIVERSITIES,
    City,
    JobFamily,
    families_for_industry,
    leveled_title,
)
from careerpilot.network.text_profiles import (
    member_headline,
    member_summary,
    position_description,
)

__all__ = [
    "REFERENCE_DATE",
    "CompanyIndex",
    "MemberDraft",
    "MemberPlan",
    "generate_member",
    "seniority_for_years",
]

# "Today" for the whole network: fixed, so that generation never depends on the wall clock.
REFERENCE_DATE = dt.date(2026, 11, 1)
_REF_MONTH = REFERENCE_DATE.year * 12 + REFERENCE_DATE.month - 1

_EMAIL_DOMAINS = (
    "gmail.com",
    "outlook.com",
    "yahoo.com",
    "icloud.com",
    "proton.me",
    "fastmail.com",
    "hey.com",
)
# Experience buckets (years, inclusive) and how common each one is among members.
_YEAR_BUCKETS = ((0, 1), (2, 4), (5, 8), (9, 13), (14, 22), (23, 34))
_YEAR_WEIGHTS = (12, 26, 28, 19, 12, 3)
# Families people rarely switch into: both need a specific degree and licence.
_NO_SWITCH_INTO = frozenset({"legal", "healthcare"})
# Families whose work can be done from home, so a member may work remotely for a far company.
_REMOTE_FAMILIES = frozenset(
    {
        "software_engineering",
        "data_science",
        "product_management",
        "design",
        "marketing",
        "sales",
        "finance",
        "human_resources",
        "customer_success",
        "legal",
        "cybersecurity",
    }
)
_CITY_BY_LABEL = {c.label: c for c in CITIES}
_GRAD_YEARS = {"Ph.D.": 5, "Juris Doctor": 3, "Doctor of Nursing Practice": 3}


def _month_date(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def seniority_for_years(years: float) -> Seniority:
    """The level someone with ``years`` of relevant experience usually holds."""
    if years < 2:
        return Seniority.ENTRY
    if years < 5:
        return Seniority.MID
    if years < 9:
        return Seniority.SENIOR
    if years < 13:
        return Seniority.LEAD
    return Seniority.PRINCIPAL


def _ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


class CompanyIndex:
    """Companies grouped by the families they hire and by where they have offices."""

    def __init__(self, companies: Sequence[Company]) -> None:
        self.companies = list(companies)
        self.by_id = {c.id: c for c in companies}
        self.by_family: dict[str, list[Company]] = {}
        self.by_family_city: dict[tuple[str, str], list[Company]] = {}
        for c in companies:
            for fam in families_for_industry(c.industry):
                self.by_family.setdefault(fam, []).append(c)
                for loc in c.locations:
                    self.by_family_city.setdefault((fam, loc), []).append(c)

    def pick(self, rng: random.Random, family: str, city: str, local: float) -> Company | None:
        """A company hiring ``family``, in ``city`` with probability ``local`` when possible."""
        nearby = self.by_family_city.get((family, city))
        if nearby and rng.random() < local:
            return rng.choice(nearby)
        anywhere = self.by_family.get(family)
        return rng.choice(anywhere) if anywhere else None


@dataclass(slots=True)
class MemberDraft:
    """A generated member plus what later stages need and the schema does not keep."""

    record: MemberRecord
    family: str
    families: tuple[str, ...]  # every family worked in, oldest first
    company_id: int | None  # current employer in the network
    company_ids: tuple[int, ...]  # every network employer, past and present
    city: City
    years: int
    tenure: int  # whole years with the current employer
    current_start: dt.date | None


@dataclass(frozen=True, slots=True)
class MemberPlan:
    """Overrides for one member: used to make member 1 a partial fit for job 1."""

    family: str
    years: int


def _plan_families(rng: random.Random, final: str) -> str:
    """The family a career started in: usually ``final``, sometimes a related one."""
    roll = rng.random()
    if final in _NO_SWITCH_INTO or roll < 0.7:
        return final
    if roll < 0.96:
        return rng.choice(FAMILIES[final].related)
    return rng.choice([k for k in FAMILIES if k != final])


def _education(
    rng: random.Random, family: JobFamily, final: JobFamily, career_start: dt.date
) -> list[Education]:
    """Degrees that end just before the first position; most recent first."""
    last_end = career_start.year if career_start.month >= 6 else career_start.year - 1
    degrees: list[Education] = []
    wants_grad = rng.random() < family.graduate_share or final.key == "legal"
    if wants_grad:
        grad_family = final if final.key == "legal" else family
        degree = rng.choice(grad_family.graduate_degrees)
        length = _GRAD_YEARS.get(degree, rng.choice((1, 2, 2)))
        degrees.append(
            Education(
                school=rng.choice(UNIVERSITIES),
                degree=degree,
                field_of_study=rng.choice(grad_family.fields_of_study),
                start_year=last_end - length,
                end_year=last_end,
            )
        )
        last_end -= length + rng.choice((0, 0, 1, 2))
    degrees.append(
        Education(
            school=rng.choice(UNIVERSITIES),
            degree=rng.choice(family.bachelor_degrees),
            field_of_study=rng.choice(family.fields_of_study),
            start_year=last_end - 4,
            end_year=last_end,
        )
    )
    return degrees


def _split_months(rng: random.Random, start: int, end: int, count: int) -> list[tuple[int, int]]:
    """``count`` spans [a, b) of whole months inside [start, end), in order, with short gaps."""
    gaps = [rng.choice((0, 0, 0, 1, 1, 2, 3)) for _ in range(count - 1)]
    free = end - start - sum(gaps)
    while free < count and gaps:  # not enough room: drop positions rather than overlap
        free += gaps.pop()
        count -= 1
    count = max(1, min(count, free))
    gaps = gaps[: count - 1]
    free = end - start - sum(gaps)
    weights = [rng.uniform(0.5, 1.5) for _ in range(count)]
    total = sum(weights)
    lengths = [1 + int((free - count) * w / total) for w in weights]
    lengths[-1] += free - sum(lengths)
    spans: list[tuple[int, int]] = []
    cursor = start
    for i, length in enumerate(lengths):
        spans.append((cursor, cursor + length))
        cursor += length + (gaps[i] if i < len(gaps) else 0)
    return spans


def _skills(
    rng: random.Random, families: Sequence[str], months_by_family: dict[str, int], years: int
) -> list[str]:
    """6-20 skills, mostly core skills of the families worked in, weighted by time spent."""
    final = FAMILIES[families[-1]]
    count = max(6, min(20, 6 + years // 2 + rng.randint(0, 5)))
    n_soft = rng.randint(2, 3)
    n_core = count - n_soft
    total_months = sum(months_by_family.values()) or 1
    earlier: list[str] = []
    for fam in dict.fromkeys(families):
        if fam == final.key:
            continue
        share = min(0.5, months_by_family[fam] / total_months)
        pool = FAMILIES[fam].core_skills
        earlier += rng.sample(pool, k=min(max(1, round(n_core * share)), len(pool)))
    own = [s for s in final.core_skills if s not in earlier]
    # The current family's skills come first: they are what a profile leads with.
    core = rng.sample(own, k=min(len(own), max(0, n_core - len(earlier))))
    if rng.random() < 0.15:  # the odd skill picked up next door
        neighbour = FAMILIES[rng.choice(final.related)]
        core.append(rng.choice(neighbour.core_skills))
    soft = rng.sample(final.soft_skills, k=n_soft)
    return list(dict.fromkeys([*core, *earlier, *soft]))[:20]


def _email(rng: random.Random, first: str, last: str, used: set[str]) -> str:
    f, la = _ascii_slug(first) or "member", _ascii_slug(last) or "user"
    domain = rng.choice(_EMAIL_DOMAINS)
    for local in (f"{f}.{la}", f"{f}{la}", f"{f[0]}.{la}", f"{f}_{la}"):
        if (email := f"{local}@{domain}") not in used:
            used.add(email)
            return email
    n = 2
    while (email := f"{f}.{la}{n}@{domain}") in used:
        n += 1
    used.add(email)
    return email


def generate_member(
    rng: random.Random,
    fake: Any,
    member_id: int,
    index: CompanyIndex,
    external_names: Sequence[str],
    used_emails: set[str],
    plan: MemberPlan | None = None,
) -> MemberDraft:
    families = list(FAMILIES)
    if plan is None:
        final_key = rng.choices(families, weights=[FAMILIES[k].weight for k in families])[0]
        low, high = rng.choices(_YEAR_BUCKETS, weights=_YEAR_WEIGHTS)[0]
        years = rng.randint(low, high)
        start_key = _plan_families(rng, final_key)
        employed = rng.random() < 0.88
        ambition = rng.uniform(-2.5, 1.0)  # some people climb faster than others
    else:
        final_key, years, start_key = plan.family, plan.years, plan.family
        employed, ambition = True, 1.0  # mid level by now, so the senior job 1 is a step up
    final = FAMILIES[final_key]
    city = rng.choices(CITIES, weights=[c.weight for c in CITIES])[0]

    career_months = max(2, years * 12 + rng.randrange(12))
    career_start = _REF_MONTH - career_months
    career_end = _REF_MONTH if employed else _REF_MONTH - min(rng.randint(1, 8), career_months - 1)
    wanted = max(1, min(6, 1 + int(years / rng.uniform(2.2, 4.5))))
    if plan is not None:
        wanted = max(wanted, 2)
    spans = _split_months(rng, career_start, career_end, wanted)
    switch_at = rng.randint(1, len(spans) - 1) if start_key != final_key and len(spans) > 1 else 0
    if switch_at == 0:
        start_key = final_key

    positions: list[Position] = []
    months_by_family: dict[str, int] = {}
    base = ""
    prev: tuple[Company | None, str, str] | None = None  # employer, its name, where
    company_ids: list[int] = []
    for i, (a, b) in enumerate(spans):
        fam = FAMILIES[start_key if i < switch_at else final_key]
        current = employed and i == len(spans) - 1
        months_by_family[fam.key] = months_by_family.get(fam.key, 0) + (b - a)
        # Years in a new family count half of the years before it, as the fit agent does.
        before = sum(m for k, m in months_by_family.items() if k != fam.key)
        relevant = (months_by_family[fam.key] - (b - a) + 0.5 * before) / 12
        seniority = seniority_for_years(max(0.0, relevant + ambition))
        if not base or base not in fam.titles or rng.random() < 0.25:
            base = rng.choice(fam.titles)
        company: Company | None
        if (
            prev is not None
            and rng.random() < 0.15
            and (prev[0] is None or fam.key in families_for_industry(prev[0].industry))
        ):
            company, name, location = prev  # promoted or moved internally
        else:
            if not current and rng.random() < 0.18:
                company, name = None, rng.choice(external_names)
            else:
                company = index.pick(rng, fam.key, city.label, 0.85 if current else 0.6)
                name = company.name if company else rng.choice(external_names)
            if company is None or city.label in company.locations:
                location = city.label
            elif not current:
                location = rng.choice(company.locations)  # they lived elsewhere back then
            elif fam.key in _REMOTE_FAMILIES and rng.random() < 0.5:
                location = f"{city.label} (Remote)"
            else:  # moved for the job: the member now lives where they work
                city = _CITY_BY_LABEL[rng.choice(company.locations)]
                location = city.label
        if current and location in _CITY_BY_LABEL:
            city = _CITY_BY_LABEL[location]  # members live where their current job is
        prev = (company, name, location)
        if company is not None:
            company_ids.append(company.id)
        positions.append(
            Position(
                title=leveled_title(base, seniority, rng),
                family=fam.key,
                company_id=company.id if company else None,
                company_name=name,
                location=location,
                start_date=_month_date(a),
                end_date=None if current else _month_date(b) - dt.timedelta(days=1),
                description=position_description(
                    rng, family=fam, company_name=name, current=current
                ),
            )
        )
    positions.reverse()  # most recent first

    latest = positions[0]
    now = latest if latest.end_date is None else None
    first_name, last_name = fake.first_name(), fake.last_name()
    skills = _skills(rng, [p.family for p in reversed(positions)], months_by_family, years)
    open_to_work = plan is None and (now is None or rng.random() < 0.06)
    earliest = FAMILIES[positions[-1].family]
    last_network = next((index.by_id[p.company_id] for p in positions if p.company_id), None)
    record = MemberRecord(
        id=member_id,
        first_name=first_name,
        last_name=last_name,
        headline=member_headline(
            rng,
            title=latest.title,
            company_name=now.company_name if now else None,
            family=final,
            skills=skills,
            open_to_work=open_to_work,
        ),
        summary=member_summary(
            rng,
            title=latest.title,
            family=final,
            years=months_by_family[final.key] // 12,
            skills=skills,
            current_company=now.company_name if now else None,
            previous_company=next(
                (p.company_name for p in positions if p.company_name != latest.company_name),
                None,
            ),
            previous_family=earliest if earliest.key != final.key else None,
            city=city.name,
            open_to_work=open_to_work,
        ),
        location=city.label,
        industry=last_network.industry if last_network else final.industries[0],
        positions=positions,
        education=_education(rng, earliest, final, _month_date(career_start)),
        skills=skills,
        open_to_work=open_to_work,
        email=_email(rng, first_name, last_name, used_emails),
        phone=fake.phone_number(),
    )
    tenure = 0
    if now is not None:
        # Internal moves and promotions do not reset tenure: walk back through them.
        joined = now.start_date
        for p in positions[1:]:
            if p.company_name != now.company_name:
                break
            joined = p.start_date
        tenure = (REFERENCE_DATE - joined).days // 365
    return MemberDraft(
        record=record,
        family=final.key,
        families=tuple(dict.fromkeys(p.family for p in reversed(positions))),
        company_id=now.company_id if now else None,
        company_ids=tuple(dict.fromkeys(company_ids)),
        city=city,
        years=years,
        tenure=max(1, tenure),
        current_start=now.start_date if now else None,
    )
