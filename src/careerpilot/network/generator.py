"""A deterministic generator of a plausible sample professional network.

``generate_network(seed, size)`` returns companies, members, jobs, posts, connections and
reactions that agree with each other and with the taxonomy. Same seed and size, same network:
names, company-name parts and phones come from a seeded Faker, everything else from
``random.Random`` streams seeded per stage (so that changing one stage does not reshuffle the
others), and "today" is the fixed ``REFERENCE_DATE``.

Member 1 is planned to be a partial fit for job 1 (same family, some skills, some gaps, a
little short on years), so that "Am I a good fit for job 1?" has an interesting answer.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from faker import Faker

from careerpilot.config import NetworkSize
from careerpilot.network.generator_members import (
    REFERENCE_DATE,
    CompanyIndex,
    MemberDraft,
    MemberPlan,
    generate_member,
)
from careerpilot.network.generator_social import REFERENCE_TIME, build_connections, build_posts
from careerpilot.network.schemas import Company, Job, MemberRecord, Post, Seniority
from careerpilot.network.taxonomy import (
    CITIES,
    FAMILIES,
    INDUSTRIES,
    SENIORITY_ORDER,
    Industry,
    JobFamily,
    base_title,
    families_for_industry,
    family_of_title,
    leveled_title,
    salary_band,
)
from careerpilot.network.text import JobText, company_description, job_description

__all__ = ["REFERENCE_DATE", "REFERENCE_TIME", "Network", "generate_network"]


@dataclass
class Network:
    companies: list[Company]
    members: list[MemberRecord]
    jobs: list[Job]
    posts: list[Post]
    connections: list[tuple[int, int]]  # (a, b) with a < b, no duplicates
    reactions: list[tuple[int, int, str]]  # (post_id, member_id, type), one per (post, member)


_INDUSTRY_WEIGHTS = {
    "Software & Internet": 4.0,
    "Financial Services": 2.5,
    "Hospitals & Health Care": 2.5,
    "Retail & E-commerce": 2.0,
    "Manufacturing": 1.6,
    "Education": 1.5,
    "Management Consulting": 1.3,
}
_SIZE_BANDS = (
    ("2-10", 2, 10, 4),
    ("11-50", 11, 50, 14),
    ("51-200", 51, 200, 22),
    ("201-500", 201, 500, 18),
    ("501-1,000", 501, 1000, 14),
    ("1,001-5,000", 1001, 5000, 15),
    ("5,001-10,000", 5001, 10000, 7),
    ("10,001+", 10001, 80000, 6),
)
_NAME_HEADS = (
    "Blue",
    "Bright",
    "North",
    "Clear",
    "True",
    "Silver",
    "Red",
    "Iron",
    "Open",
    "Swift",
    "Summit",
    "Harbor",
    "Cedar",
    "Maple",
    "Pine",
    "Stone",
    "Golden",
    "Nova",
    "Apex",
    "Lumen",
    "Orbit",
    "Key",
    "Tide",
    "Sun",
    "Granite",
    "Willow",
    "Copper",
    "River",
    "Beacon",
    "Peak",
)
_NAME_TAILS = (
    "path",
    "wave",
    "field",
    "point",
    "bridge",
    "light",
    "stack",
    "line",
    "forge",
    "mark",
    "gate",
    "rock",
    "leaf",
    "ridge",
    "scale",
    "spring",
    "view",
    "loop",
    "craft",
    "stone",
)
# How often a job in a family can be done remotely: nobody nurses patients from home.
_REMOTE_SHARE = {
    "healthcare": 0.0,
    "civil_engineering": 0.03,
    "mechanical_engineering": 0.05,
    "education": 0.08,
    "operations": 0.12,
}
_SENIORITY_WEIGHTS = (18, 32, 30, 13, 7)
_PARTIAL_FIT_FAMILIES = ("software_engineering", "data_science", "product_management")


def _rng(seed: int, stage: str) -> random.Random:
    # String seeds are hashed with SHA-512 by ``random``, independent of PYTHONHASHSEED.
    return random.Random(f"careerpilot:{seed}:{stage}")


def _slug(name: str) -> str:
    return "".join(c for c in name.lower() if c.isascii() and c.isalnum())


# --- companies --------------------------------------------------------------------------


def _company_name(rng: random.Random, fake: Any, industry: Industry, used: set[str]) -> str:
    name = ""
    for _ in range(40):
        word = rng.choice(industry.name_words)
        roll = rng.random()
        if roll < 0.35:
            name = f"{fake.last_name()} {word}"
        elif roll < 0.75:
            name = rng.choice(_NAME_HEADS) + rng.choice(_NAME_TAILS)
            if rng.random() < 0.6:
                name += f" {word}"
        elif roll < 0.88:
            name = f"{fake.last_name()} & {fake.last_name()}"
            if industry.name in ("Legal Services", "Management Consulting"):
                name += f" {word}".replace(" & Partners", " Partners")
        else:
            name = f"{rng.choice(_NAME_HEADS)} {fake.last_name()} {word}"
        if name not in used:
            break
    while name in used:  # vanishingly rare; keep names unique whatever it takes
        name += " Group"
    used.add(name)
    return name


def _companies(rng: random.Random, fake: Any, count: int) -> list[Company]:
    industries = list(INDUSTRIES.values())
    ind_cum = list(accumulate(_INDUSTRY_WEIGHTS.get(i.name, 1.0) for i in industries))
    city_cum = list(accumulate(c.weight for c in CITIES))
    used: set[str] = set()
    companies: list[Company] = []
    for cid in range(1, count + 1):
        industry = rng.choices(industries, cum_weights=ind_cum)[0]
        name = _company_name(rng, fake, industry, used)
        band, low, high, _ = rng.choices(_SIZE_BANDS, weights=[b[3] for b in _SIZE_BANDS])[0]
        employees = int(math.exp(rng.uniform(math.log(low), math.log(high + 1))))
        employees = max(low, min(high, employees))
        if employees <= 200:
            founded = rng.randint(2006, 2024)
            extra = rng.choice((0, 0, 0, 1))
        elif employees <= 5000:
            founded = rng.randint(1975, 2018)
            extra = rng.randint(0, 3)
        else:
            founded = rng.randint(1900, 2010)
            extra = rng.randint(2, 6)
        offices: list[str] = []
        while len(offices) < 1 + extra:
            city = rng.choices(CITIES, cum_weights=city_cum)[0].label
            if city not in offices:
                offices.append(city)
        specialties = rng.sample(industry.specialties, k=rng.randint(3, 5))
        companies.append(
            Company(
                id=cid,
                name=name,
                industry=industry.name,
                description=company_description(
                    rng,
                    name=name,
                    industry=industry,
                    specialties=specialties,
                    founded_year=founded,
                    headquarters=offices[0],
                    employee_count=employees,
                    locations=offices,
                ),
                employee_count=employees,
                size_band=band,
                founded_year=founded,
                headquarters=offices[0],
                locations=offices,
                specialties=specialties,
                website=f"https://www.{_slug(name)}.{industry.tld}",
            )
        )
    return companies


def _external_names(fake: Any, taken: set[str], count: int) -> list[str]:
    """Employers outside the network, for older positions (``company_id`` is None)."""
    names: list[str] = []
    for _ in range(count * 3):
        name = str(fake.company())
        if name not in taken and name not in names:
            names.append(name)
        if len(names) == count:
            break
    return names


# --- members ----------------------------------------------------------------------------


def _members(
    rng: random.Random, fake: Any, count: int, index: CompanyIndex, external: list[str]
) -> list[MemberDraft]:
    hired = [f for f in _PARTIAL_FIT_FAMILIES if len(index.by_family.get(f, ())) >= 2]
    hired = hired or [f for f in _PARTIAL_FIT_FAMILIES if f in index.by_family]
    hired = hired or sorted(index.by_family)
    # 4 years: mid level now, a little short of the 5-9 years a senior posting asks for.
    plan = MemberPlan(family=rng.choice(hired), years=4)
    used_emails: set[str] = set()
    return [
        generate_member(rng, fake, mid, index, external, used_emails, plan if mid == 1 else None)
        for mid in range(1, count + 1)
    ]


# --- jobs -------------------------------------------------------------------------------


def _salary(rng: random.Random, family: str, seniority: Seniority) -> tuple[int, int]:
    low, high = salary_band(family, seniority)
    span = high - low
    # Round inwards to whole thousands, so that the range stays inside the band.
    bottom = -(-(low + int(span * rng.uniform(0.0, 0.45))) // 1000) * 1000
    top = min(high, (bottom + int(span * rng.uniform(0.25, 0.55))) // 1000 * 1000)
    return bottom, max(top, bottom + 1000)


def _pick_skills(
    rng: random.Random, family: JobFamily, n_required: int, n_nice: int
) -> tuple[list[str], list[str]]:
    core = list(family.core_skills)
    required = rng.sample(core, k=n_required)
    related_pool = [
        s for r in family.related for s in FAMILIES[r].core_skills if s not in family.core_skills
    ]
    if related_pool and rng.random() < 0.15:  # an adjacent skill some teams insist on
        required[-1] = rng.choice(related_pool)
    nice: list[str] = []
    rest = [s for s in core if s not in required]
    while len(nice) < n_nice:
        pool = related_pool if related_pool and rng.random() < 0.2 else rest
        skill = rng.choice(pool)
        if skill not in required and skill not in nice:
            nice.append(skill)
    return required, nice


def _job(
    rng: random.Random,
    job_id: int,
    company: Company,
    title: str,
    seniority: Seniority,
    skills: tuple[list[str], list[str]],
    place: tuple[str, bool],
) -> Job:
    family = FAMILIES[family_of_title(title)]
    required, nice = skills
    location, remote = place
    if seniority is Seniority.ENTRY and rng.random() < 0.1:
        employment = "internship"
    else:
        roll = rng.random()
        part = 0.12 if family.key in ("healthcare", "education") else 0.03
        employment = (
            "contract" if roll < 0.08 else "part_time" if roll < 0.08 + part else ("full_time")
        )
    salary_min, salary_max = _salary(rng, family.key, seniority)
    age = rng.randint(0, 89)
    applicants = rng.lognormvariate(3.0, 0.8) * (0.3 + age / 30)
    applicants *= (1.8 if remote else 1.0) * (1.4 if seniority is Seniority.ENTRY else 1.0)
    spec = JobText(
        title=title,
        family=family,
        company_name=company.name,
        industry=INDUSTRIES[company.industry],
        location=location,
        remote=remote,
        seniority=seniority,
        employment_type=employment,
        salary_min=salary_min,
        salary_max=salary_max,
        required=tuple(required),
        nice=tuple(nice),
    )
    return Job(
        id=job_id,
        title=title,
        family=family.key,
        company_id=company.id,
        company_name=company.name,
        location=location,
        remote=remote,
        seniority=seniority,
        employment_type=employment,
        salary_min=salary_min,
        salary_max=salary_max,
        salary_currency="USD",
        required_skills=list(required),
        nice_to_have_skills=list(nice),
        description=job_description(rng, spec),
        posted_on=REFERENCE_DATE - dt.timedelta(days=age),
        applicant_count=min(5000, int(applicants)),
    )


def _partial_fit_job(rng: random.Random, member: MemberDraft, index: CompanyIndex) -> Job:
    """Job 1: the member's family and title, one level up, with some of their skills."""
    family = FAMILIES[member.family]
    held = set(member.record.skills)
    have = [s for s in family.core_skills if s in held]
    lack = [s for s in family.core_skills if s not in held]
    n_have = min(3, len(have))
    required = rng.sample(have, k=n_have) + rng.sample(lack, k=min(len(lack), 5 - n_have))
    nice = rng.sample([s for s in have if s not in required], k=min(1, len(have) - n_have))
    nice += rng.sample([s for s in lack if s not in required], k=2)
    rng.shuffle(required)
    rng.shuffle(nice)
    options = [c for c in index.by_family[family.key] if c.id != member.company_id]
    company = rng.choice(options or index.by_family[family.key])
    current = member.record.positions[0]
    title = leveled_title(base_title(current.title), Seniority.SENIOR, rng)
    if member.city.label in company.locations:
        place = (member.city.label, False)
    else:
        place = (company.headquarters, True)
    return _job(rng, 1, company, title, Seniority.SENIOR, (required, nice), place)


def _jobs(
    rng: random.Random,
    count: int,
    companies: list[Company],
    index: CompanyIndex,
    member_one: MemberDraft,
) -> list[Job]:
    jobs = [_partial_fit_job(rng, member_one, index)]
    company_cum = list(accumulate(1 + math.log10(c.employee_count) for c in companies))
    family_tables: dict[str, tuple[list[str], list[float]]] = {}
    for ind in INDUSTRIES.values():
        keys = list(families_for_industry(ind.name))
        weights = [FAMILIES[k].weight * (5 if k in ind.core_families else 1) for k in keys]
        family_tables[ind.name] = (keys, list(accumulate(weights)))
    for job_id in range(2, count + 1):
        company = rng.choices(companies, cum_weights=company_cum)[0]
        keys, cum = family_tables[company.industry]
        family = FAMILIES[rng.choices(keys, cum_weights=cum)[0]]
        seniority = rng.choices(SENIORITY_ORDER, weights=_SENIORITY_WEIGHTS)[0]
        title = leveled_title(rng.choice(family.titles), seniority, rng)
        remote = rng.random() < _REMOTE_SHARE.get(family.key, 0.25)
        location = company.headquarters if remote else rng.choice(company.locations)
        skills = _pick_skills(rng, family, rng.randint(3, 7), rng.randint(2, 5))
        jobs.append(_job(rng, job_id, company, title, seniority, skills, (location, remote)))
    return jobs


# --- the whole network -------------------------------------------------------------------


def generate_network(seed: int, size: NetworkSize) -> Network:
    """The sample network for ``seed``; identical output for identical arguments."""
    fake = Faker("en_US")
    fake.seed_instance(seed)
    companies = _companies(_rng(seed, "companies"), fake, size.companies)
    external = _external_names(fake, {c.name for c in companies}, 150)
    index = CompanyIndex(companies)
    drafts = _members(_rng(seed, "members"), fake, size.members, index, external)
    connections, neighbours = build_connections(_rng(seed, "connections"), drafts)
    for draft, friends in zip(drafts, neighbours, strict=True):
        draft.record.connection_count = len(friends)
    jobs = _jobs(_rng(seed, "jobs"), size.jobs, companies, index, drafts[0])
    posts, reactions = build_posts(_rng(seed, "posts"), drafts, neighbours, size.posts)
    return Network(
        companies=companies,
        members=[d.record for d in drafts],
        jobs=jobs,
        posts=posts,
        connections=connections,
        reactions=reactions,
    )
