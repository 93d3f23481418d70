"""The curated taxonomy behind the sample network: job families, industries, places, topics.

The data lives in ``taxonomy_data`` (families), ``taxonomy_world`` (industries, cities,
schools) and ``taxonomy_topics`` (post topics); this module is the one to import, and adds the
lookups and the title helpers the generator and the checks share.
"""

from __future__ import annotations

import random
from typing import Final

from careerpilot.network.schemas import Seniority
from careerpilot.network.taxonomy_data import ALL_INDUSTRIES, FAMILY_LIST, JobFamily
from careerpilot.network.taxonomy_topics import REACTION_TYPES, TOPIC_LIST, PostTopic
from careerpilot.network.taxonomy_world import (
    CITY_LIST,
    INDUSTRY_LIST,
    UNIVERSITIES,
    City,
    Industry,
)

__all__ = [
    "CITIES",
    "EMPLOYMENT_TYPES",
    "FAMILIES",
    "INDUSTRIES",
    "POST_TOPICS",
    "REACTION_TYPES",
    "SENIORITY_ORDER",
    "SKILL_ALIASES",
    "UNIVERSITIES",
    "City",
    "Industry",
    "JobFamily",
    "PostTopic",
    "all_skills",
    "base_title",
    "check_consistency",
    "families_for_industry",
    "family_of_title",
    "leveled_title",
    "salary_band",
]

SENIORITY_ORDER: Final[tuple[Seniority, ...]] = tuple(Seniority)
EMPLOYMENT_TYPES: Final[tuple[str, ...]] = ("full_time", "part_time", "contract", "internship")

FAMILIES: Final[dict[str, JobFamily]] = {f.key: f for f in FAMILY_LIST}
INDUSTRIES: Final[dict[str, Industry]] = {i.name: i for i in INDUSTRY_LIST}
POST_TOPICS: Final[dict[str, PostTopic]] = {t.name: t for t in TOPIC_LIST}
CITIES: Final[tuple[City, ...]] = CITY_LIST

# Other spellings of taxonomy skills that members and recruiters use. Values are taxonomy names.
SKILL_ALIASES: Final[dict[str, str]] = {
    "k8s": "Kubernetes",
    "golang": "Go",
    "postgres": "PostgreSQL",
    "js": "JavaScript",
    "ts": "TypeScript",
    "excel": "Microsoft Excel",
    "ml": "Machine Learning",
    "nlp": "Natural Language Processing",
    "spark": "Apache Spark",
    "sfdc": "Salesforce",
    "fea": "Finite Element Analysis (FEA)",
    "bim": "Building Information Modeling (BIM)",
    "iam": "Identity and Access Management (IAM)",
    "ehr": "Electronic Health Records (EHR)",
    "bls": "Basic Life Support (BLS)",
    "acls": "Advanced Cardiac Life Support (ACLS)",
    "dei": "Diversity, Equity & Inclusion",
}

_TITLE_FAMILY: Final[dict[str, str]] = {title: f.key for f in FAMILY_LIST for title in f.titles}
# Longest first, so that "Principal" is tried before a shorter prefix could match.
_PREFIXES: Final[tuple[str, ...]] = tuple(
    sorted(
        {p for f in FAMILY_LIST for level in f.level_prefixes for p in level if p},
        key=lambda p: (-len(p), p),
    )
)


def base_title(title: str) -> str:
    """The level-neutral title: "Senior Backend Engineer" -> "Backend Engineer".

    Raises ``KeyError`` for a title that is not in the taxonomy.
    """
    if title in _TITLE_FAMILY:
        return title
    for prefix in _PREFIXES:
        if title.startswith(prefix + " ") and title[len(prefix) + 1 :] in _TITLE_FAMILY:
            return title[len(prefix) + 1 :]
    raise KeyError(title)


def family_of_title(title: str) -> str:
    """The family key of a (possibly levelled) title; ``KeyError`` when it is unknown."""
    return _TITLE_FAMILY[base_title(title)]


def leveled_title(base: str, seniority: Seniority, rng: random.Random) -> str:
    """``base`` with one of its family's prefixes for ``seniority``: "Senior Data Analyst"."""
    family = FAMILIES[_TITLE_FAMILY[base]]
    prefix = rng.choice(family.level_prefixes[SENIORITY_ORDER.index(seniority)])
    return f"{prefix} {base}" if prefix else base


def salary_band(family: str, seniority: Seniority) -> tuple[int, int]:
    """Yearly base salary band in USD for a family at a level."""
    return FAMILIES[family].salary_bands[SENIORITY_ORDER.index(seniority)]


def families_for_industry(industry: str) -> tuple[str, ...]:
    """Families a company in ``industry`` plausibly hires, in taxonomy order."""
    return tuple(f.key for f in FAMILY_LIST if industry in f.industries)


def all_skills() -> frozenset[str]:
    """Every skill name the taxonomy knows, core and transferable."""
    return frozenset(s for f in FAMILY_LIST for s in (*f.core_skills, *f.soft_skills))


def check_consistency() -> list[str]:
    """Problems in the curated data; empty when it is sound. Run by the tests."""
    problems: list[str] = []
    industries = set(INDUSTRIES)
    if industries != set(ALL_INDUSTRIES):
        problems.append("taxonomy_data.ALL_INDUSTRIES differs from the industry list")
    seen_titles: dict[str, str] = {}
    levels = len(SENIORITY_ORDER)
    for f in FAMILY_LIST:
        for title in f.titles:
            if title in seen_titles:
                problems.append(f"title {title!r} in both {seen_titles[title]} and {f.key}")
            seen_titles[title] = f.key
        if unknown := set(f.industries) - industries:
            problems.append(f"{f.key}: unknown industries {sorted(unknown)}")
        if unknown := set(f.related) - set(FAMILIES) | ({f.key} & set(f.related)):
            problems.append(f"{f.key}: bad related families {sorted(unknown)}")
        if len(f.salary_bands) != levels or len(f.level_prefixes) != levels:
            problems.append(f"{f.key}: need one salary band and prefix set per seniority")
        for low, high in f.salary_bands:
            if not low < high:
                problems.append(f"{f.key}: empty salary band {low}-{high}")
        if len(set(f.core_skills)) != len(f.core_skills) or len(f.core_skills) < 12:
            problems.append(f"{f.key}: core skills must be 12+ distinct names")
        if set(f.core_skills) & set(f.soft_skills):
            problems.append(f"{f.key}: a skill is both core and transferable")
    for i in INDUSTRY_LIST:
        hiring = families_for_industry(i.name)
        if missing := set(i.core_families) - set(hiring):
            problems.append(f"{i.name}: core families that do not list it {sorted(missing)}")
        if len(hiring) < 3:
            problems.append(f"{i.name}: fewer than 3 families hire there")
    for t in TOPIC_LIST:
        if len(t.reaction_weights) != len(REACTION_TYPES):
            problems.append(f"topic {t.name}: one weight per reaction type")
        if unknown := set(t.families) - set(FAMILIES):
            problems.append(f"topic {t.name}: unknown families {sorted(unknown)}")
    return problems
