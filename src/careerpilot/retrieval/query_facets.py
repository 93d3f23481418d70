"""Query understanding: the taxonomy entities a search names, and a reranker that uses them.

``facets(query)`` tags the standardised entities in a member's words: job titles ("product
marketing managers"), job families by their practitioners ("marketers", "teachers"), skills and
their aliases ("k8s", "REST APIs") and levels ("junior", "entry-level", "staff"). Longer matches
win ("Product Marketing Manager" over "Marketing Manager").

``rerank`` orders retrieved jobs by how many of those facets they carry (the named title, then
the named skills as required and as nice-to-have, the family, the level) and people by their
current role (title, family, skills), keeping the retrieval order among equals. A query that
names nothing keeps the retrieval order as is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

from careerpilot.network.schemas import Seniority
from careerpilot.network.taxonomy import FAMILIES, SKILL_ALIASES, all_skills, base_title
from careerpilot.retrieval.filters import PayloadValue

__all__ = ["QueryFacets", "facets", "job_facet_score", "person_facet_score", "rerank"]

_LEVEL_WORDS: dict[str, Seniority] = {
    "intern": Seniority.ENTRY,
    "graduate": Seniority.ENTRY,
    "entry level": Seniority.ENTRY,
    "entry-level": Seniority.ENTRY,
    "mid level": Seniority.MID,
    "mid-level": Seniority.MID,
    "intermediate": Seniority.MID,
    "sr": Seniority.SENIOR,
    "experienced": Seniority.SENIOR,
}


@dataclass(frozen=True, slots=True)
class QueryFacets:
    titles: frozenset[str] = frozenset()  # base titles, as in the taxonomy
    families: frozenset[str] = frozenset()
    skills: frozenset[str] = frozenset()  # lower-case taxonomy names
    seniority: Seniority | None = None
    spans: tuple[str, ...] = field(default=(), compare=False)

    @property
    def empty(self) -> bool:
        return not (self.titles or self.families or self.skills or self.seniority)


def _plural(phrase: str) -> str:
    if phrase.endswith(("s", "x", "sh", "ch")):
        return phrase + "es"
    if phrase.endswith("y") and phrase[-2:-1] not in "aeiou":
        return phrase[:-1] + "ies"
    return phrase + "s"


@cache
def _lexicon() -> dict[str, tuple[str, str]]:
    """Phrase (lower case) -> (kind, value), for every entity a query may name."""
    lex: dict[str, tuple[str, str]] = {}
    for key, family in FAMILIES.items():
        for phrase in (family.practitioners, family.label.lower(), family.field.lower()):
            lex.setdefault(phrase.lower(), ("family", key))
        for title in family.titles:
            base = base_title(title)
            for phrase in (base.lower(), _plural(base.lower())):
                lex[phrase] = ("title", base)
        for index, names in enumerate(family.level_prefixes):
            for name in names:
                if name:
                    lex.setdefault(name.lower(), ("level", list(Seniority)[index].value))
    for level in Seniority:
        lex.setdefault(level.value, ("level", level.value))
    for word, level in _LEVEL_WORDS.items():
        lex[word] = ("level", level.value)
    for skill in all_skills():
        lex[skill.lower()] = ("skill", skill.lower())
    for alias, skill in SKILL_ALIASES.items():
        lex[alias.lower()] = ("skill", skill.lower())
    return lex


@cache
def _pattern() -> re.Pattern[str]:
    # Longest phrases first: the regex alternation then prefers them at each position.
    phrases = sorted(_lexicon(), key=len, reverse=True)
    body = "|".join(re.escape(p) for p in phrases)
    return re.compile(rf"(?<![\w+#])(?:{body})(?![\w+#])")


def facets(query: str) -> QueryFacets:
    """The taxonomy entities ``query`` names (case-insensitive, whole words)."""
    lex = _lexicon()
    titles: set[str] = set()
    families: set[str] = set()
    skills: set[str] = set()
    levels: list[str] = []
    spans = []
    for match in _pattern().finditer(query.lower()):
        kind, value = lex[match.group(0)]
        spans.append(match.group(0))
        if kind == "title":
            titles.add(value)
        elif kind == "family":
            families.add(value)
        elif kind == "skill":
            skills.add(value)
        else:
            levels.append(value)
    families |= {_family_of(t) for t in titles}
    seniority = Seniority(levels[0]) if levels else None
    return QueryFacets(
        frozenset(titles), frozenset(families), frozenset(skills), seniority, tuple(spans)
    )


@cache
def _family_of(base: str) -> str:
    return next(k for k, f in FAMILIES.items() if base in {base_title(t) for t in f.titles})


def _as_list(value: PayloadValue | None) -> list[str]:
    return value if isinstance(value, list) else []


def job_facet_score(named: QueryFacets, payload: Mapping[str, PayloadValue]) -> tuple[int, ...]:
    """How much of what the query names a job carries, most important first."""
    title = payload.get("base_title")
    required = set(_as_list(payload.get("required")))
    every = set(_as_list(payload.get("skills")))
    return (
        int(isinstance(title, str) and title in named.titles),
        len(named.skills & required),
        len(named.skills & every),
        int(payload.get("family") in named.families),
        int(named.seniority is not None and payload.get("seniority") == named.seniority.value),
    )


def person_facet_score(named: QueryFacets, payload: Mapping[str, PayloadValue]) -> tuple[int, ...]:
    """How much of what the query names a person's current role carries."""
    title = payload.get("base_title")
    return (
        int(isinstance(title, str) and title in named.titles),
        int(payload.get("family") in named.families),
        len(named.skills & set(_as_list(payload.get("skills")))),
    )


_SCORES = {"jobs": job_facet_score, "people": person_facet_score}


def rerank(
    collection: str,
    query: str,
    ids: Sequence[int],
    payloads: Mapping[int, Mapping[str, PayloadValue]],
) -> list[int]:
    """``ids`` (retrieval order) ordered by the collection's facet score, stable among equals.
    Collections without a facet score, and queries that name nothing, keep their order."""
    score = _SCORES.get(collection)
    named = facets(query)
    if score is None or named.empty:
        return list(ids)
    scores = {i: score(named, payloads.get(i, {})) for i in ids}
    return sorted(ids, key=lambda i: tuple(-s for s in scores[i]))
