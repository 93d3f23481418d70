"""A labelled retrieval relevance set, derived from the sample network's ground truth.

``build_relevance_set(network)`` turns the generator's facts (job titles, families, places and
skills; members' current positions; post topics) into member-style queries with graded relevant
documents, never consulting a search engine. Kinds: ``jobs`` (by role, place and seniority, or
by skills), ``fit_me`` (jobs for ``member_id``), ``posts`` (a topic, by authors of a family or
title), ``people`` (a title or family at a company or in a city) and ``knowledge`` (hand-written
in ``data/knowledge_questions.yaml``, over the offline web-search corpus); templates are in
``data/retrieval_templates.yaml``. ``filter`` keys: ``location`` (a city name, e.g. ``"Berlin"``),
``remote`` (true), ``seniority`` (a ``Seniority`` value), ``company`` (a company name).

Network cases keep ``MIN_RELEVANT`` to ``MAX_RELEVANT`` documents, never cut at random: when
grades 2 and 1 exceed the cap only grade 2 is kept, and if grade 2 alone does the query is
skipped. recall@10 (``ranking_metrics``) = relevant found in the top 10 / min(10, relevant).

``data/retrieval_v{VERSION}.json`` is the set for the network ``careerpilot data seed``
writes (seed 42, default ``NetworkSize``), so ids match the database. After changing the
generator or templates, regenerate it (bump ``VERSION`` if labels change):
``python -m careerpilot.evals.retrieval_set``. v2 counts people between jobs by their latest
role in city queries (v1 counted only the employed).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from importlib import resources
from itertools import islice
from pathlib import Path
from typing import Any, cast

import yaml

from careerpilot.config import NetworkSize
from careerpilot.evals import Case, DocId, Filter, Kind
from careerpilot.network.generator import Network, generate_network
from careerpilot.network.schemas import Job, MemberRecord
from careerpilot.network.taxonomy import FAMILIES, SKILL_ALIASES, base_title

__all__ = [
    "DATA_FILE",
    "MAX_RELEVANT",
    "MIN_RELEVANT",
    "SEED",
    "VERSION",
    "build_relevance_set",
    "load_relevance_set",
    "relevance_set_json",
    "write_relevance_set",
]

VERSION = 2
_REGEN = "python -m careerpilot.evals.retrieval_set"
SEED = 42
DATA_FILE = f"retrieval_v{VERSION}.json"
MAX_RELEVANT = 50
MIN_RELEVANT = 3
_ALIAS_OF = {name: alias for alias, name in SKILL_ALIASES.items()}


@cache
def _data(name: str) -> Any:
    return yaml.safe_load(resources.files("careerpilot.evals").joinpath("data", name).read_text())


def _tpl() -> dict[str, Any]:
    return cast(dict[str, Any], _data("retrieval_templates.yaml"))


def _say(rng: random.Random, template_key: str, **slots: str) -> str:
    return " ".join(rng.choice(_tpl()[template_key]).format(**slots).split())


def _capped(relevant: dict[int, int]) -> dict[DocId, int] | None:
    """The judgements sorted by id within the size rules (see the module docstring), or None."""
    if len(relevant) > MAX_RELEVANT:
        relevant = {d: g for d, g in relevant.items() if g == 2}
    if not MIN_RELEVANT <= len(relevant) <= MAX_RELEVANT:
        return None
    return {d: relevant[d] for d in sorted(relevant)}


def _plural(title: str) -> str:
    """ "Data Engineer" -> "data engineers"; "Corporate Counsel" stays uncounted."""
    return title.lower() if title.endswith("Counsel") else title.lower() + "s"


def _city(label: str) -> str:
    return label.split(",")[0]


def _current(m: MemberRecord) -> bool:
    return bool(m.positions) and m.positions[0].end_date is None


def _satisfied(job: Job, flt: Filter) -> int:
    have = {"location": _city(job.location), "remote": job.remote, "seniority": job.seniority}
    return sum(1 for key, value in flt.items() if have[key] == value)


def _in(job: Job, place: Filter) -> bool:
    return _satisfied(job, place) == len(place)


def _job_role(rng: random.Random, net: Network) -> tuple[str, Filter | None, dict[int, int]]:
    job = rng.choice(net.jobs)
    base = base_title(job.title)
    combo = rng.choice(("", "place", "seniority", "seniority+place", "seniority+place"))
    flt: Filter = {}
    where, level = "", ""
    if "seniority" in combo:
        flt["seniority"] = job.seniority.value
        level = rng.choice(_tpl()["level_words"][job.seniority.value])
    if "place" in combo and job.remote:
        flt["remote"] = True
        where = rng.choice(_tpl()["where_remote"])
    elif "place" in combo:
        flt["location"] = _city(job.location)
        where = rng.choice(_tpl()["where_location"]).format(city=flt["location"])
    title = f"{level.capitalize()} {base}".strip()
    slots = {"title": title, "title_lc": title.lower(), "titles_lc": _plural(title)}
    query = _say(rng, "job_role", where=where, **slots)
    place = {k: v for k, v in flt.items() if k != "seniority"}
    rel: dict[int, int] = {}
    for j in net.jobs:
        same_title, met = base_title(j.title) == base, _satisfied(j, flt)
        if same_title and met == len(flt):
            rel[j.id] = 2
        elif j.family == job.family and (same_title or met == len(flt)) and _in(j, place):
            rel[j.id] = 1  # in the asked place: the title at another level, or a sibling title
    return query, flt or None, rel


def _job_skills(rng: random.Random, net: Network) -> tuple[str, Filter | None, dict[int, int]]:
    job = rng.choice(net.jobs)
    skills = rng.sample(job.required_skills, k=min(len(job.required_skills), rng.choice((2, 2, 3))))
    named = [_ALIAS_OF[s] if s in _ALIAS_OF and rng.random() < 0.4 else s for s in skills]
    said = " and ".join((", ".join(named[:-1]), named[-1]))
    flt: Filter = {"remote": True} if job.remote and rng.random() < 0.5 else {}
    where = rng.choice(_tpl()["where_remote"]) if flt else ""
    query = _say(rng, "job_skill", skills=said, skills_lc=said.lower(), where=where)
    rel: dict[int, int] = {}
    for j in net.jobs:
        if flt and not j.remote:
            continue
        if all(s in j.required_skills for s in skills):
            rel[j.id] = 2
        elif all(s in j.required_skills or s in j.nice_to_have_skills for s in skills):
            rel[j.id] = 1
    return query, flt or None, rel


def _level(title: str, family: str) -> int:
    """The ``Seniority`` index a levelled title stands for: "Senior Data Analyst" -> 2."""
    prefix = title[: -len(base_title(title))].strip()
    levels = FAMILIES[family].level_prefixes
    return next(i for i, names in enumerate(levels) if prefix in names)


def _fit_me(net: Network, member: MemberRecord) -> dict[int, int]:
    """Own- or related-family jobs whose required skills overlap the member's by at least k.

    k is the smallest threshold from 2 that keeps the set within ``MAX_RELEVANT``. Grade 2: own
    family, overlap above k and at most one level from the member's; grade 1: the rest.
    """
    current = member.positions[0]
    family, held, level = current.family, set(member.skills), _level(current.title, current.family)
    related = set(FAMILIES[family].related)
    rel: dict[int, int] = {}
    for k in range(2, 8):
        rel = {
            j.id: 2
            if j.family == family and n > k and abs(_level(j.title, j.family) - level) <= 1
            else 1
            for j in net.jobs
            if (n := len(held & set(j.required_skills))) >= k
            and (j.family == family or j.family in related)
        }
        if len(rel) <= MAX_RELEVANT:
            break
    return rel


def _people(rng: random.Random, net: Network) -> tuple[str, Filter | None, dict[int, int]]:
    current = [m for m in net.members if _current(m)]
    pos = rng.choice(current).positions[0]
    by_title = rng.random() < 0.5
    if rng.random() < 0.5 and pos.company_id is not None:
        flt: Filter = {"company": pos.company_name}
        where = f"at {pos.company_name}"
        rel = {m.id: m for m in current if m.positions[0].company_id == pos.company_id}
    else:
        city = _city(pos.location)
        flt, where = {"location": city}, rng.choice(("in", "based in", "around")) + " " + city
        # Anyone whose latest role is in the family counts, between jobs or not: a marketer
        # who is open to work is still a marketer in that city (v1 counted only the employed).
        rel = {m.id: m for m in net.members if m.positions and _city(m.location) == city}
    base = base_title(pos.title)
    if by_title:
        slots = {"title": base, "title_lc": base.lower(), "titles_lc": _plural(base)}
        query = _say(rng, "people_title", where=where, **slots)
    else:
        noun = _tpl()["people_nouns"].get(pos.family, FAMILIES[pos.family].practitioners)
        query = _say(rng, "people_family", practitioners=noun, where=where)
    grades = {
        mid: 2 if not by_title or base_title(m.positions[0].title) == base else 1
        for mid, m in rel.items()
        if m.positions[0].family == pos.family
    }
    return query, flt, grades


def _posts(rng: random.Random, net: Network) -> tuple[str, Filter | None, dict[int, int]]:
    post = rng.choice(net.posts)
    latest = {m.id: m.positions[0] for m in net.members}  # the author's current or last job
    author = latest[post.author_id]
    related = set(_tpl()["related_topics"][post.topic])
    pool = [p for p in net.posts if latest[p.author_id].family == author.family]
    authors = _tpl()["people_nouns"].get(author.family, FAMILIES[author.family].practitioners)
    if sum(1 for p in pool if p.topic == post.topic) > MAX_RELEVANT:  # narrow to the title
        base = base_title(author.title)
        pool = [p for p in pool if base_title(latest[p.author_id].title) == base]
        authors = _plural(base)
    phrase = rng.choice(_tpl()["topic_phrases"][post.topic])
    query = _say(rng, "posts", phrase=phrase, authors=authors)
    rel = {
        p.id: 2 if p.topic == post.topic else 1
        for p in pool
        if p.topic == post.topic or p.topic in related
    }
    return query, None, rel


def _derived(
    rng: random.Random,
    net: Network,
    make: Callable[[random.Random, Network], tuple[str, Filter | None, dict[int, int]]],
    count: int,
) -> Iterator[tuple[str, Filter | None, dict[DocId, int]]]:
    seen: set[str] = set()
    for _ in range(count * 40):
        query, flt, rel = make(rng, net)
        capped = _capped(rel)
        key = json.dumps([query.lower(), flt], sort_keys=True)
        if capped is None or key in seen:
            continue
        seen.add(key)
        yield query, flt, capped
        if len(seen) == count:
            return


def build_relevance_set(network: Network) -> list[Case]:
    """The relevance set for ``network``: same network, same cases, in the same order."""
    cases: list[Case] = []
    makers: tuple[tuple[str, Kind, Any, int], ...] = (
        ("role", "jobs", _job_role, 45),
        ("skills", "jobs", _job_skills, 40),
        ("people", "people", _people, 45),
        ("posts", "posts", _posts, 45),
    )
    for name, kind, make, count in makers:
        rng = random.Random(f"careerpilot-evals:{VERSION}:{name}")
        for n, (query, flt, rel) in enumerate(_derived(rng, network, make, count), start=1):
            cases.append(Case(f"{name}-{n:03d}", kind, query, rel, filter=flt))
    rng = random.Random(f"careerpilot-evals:{VERSION}:fit_me")
    pool = [m for m in network.members[1:] if _current(m)]
    members = [network.members[0], *rng.sample(pool, k=len(pool))]
    fits = ((m, c) for m in members if _current(m) and (c := _capped(_fit_me(network, m))))
    for n, (member, rel) in enumerate(islice(fits, 40), start=1):
        query = _say(rng, "fit_me")
        cases.append(Case(f"fit_me-{n:03d}", "fit_me", query, rel, member_id=member.id))
    for n, q in enumerate(_data("knowledge_questions.yaml")["questions"], start=1):
        graded: dict[DocId, int] = {a: 1 for a in q["related"]} | {a: 2 for a in q["answers"]}
        cases.append(Case(f"knowledge-{n:03d}", "knowledge", q["q"], graded))
    return cases


def relevance_set_json(cases: Sequence[Case]) -> str:
    """The versioned JSON document for ``cases`` (what the committed data file holds)."""
    network = {"seed": SEED, "size": NetworkSize().model_dump()}
    doc = {"version": VERSION, "network": network, "regenerate": _REGEN}
    doc["cases"] = [c.to_dict() for c in cases]
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def load_relevance_set() -> list[Case]:
    """The committed relevance set for the default seeded network."""
    doc = json.loads(resources.files("careerpilot.evals").joinpath("data", DATA_FILE).read_text())
    return [Case.from_dict(c) for c in doc["cases"]]


def write_relevance_set(path: Path | None = None) -> Path:
    """Generate the default network, build its set and write it (to the package data file)."""
    target = path or Path(__file__).parent / "data" / DATA_FILE
    cases = build_relevance_set(generate_network(SEED, NetworkSize()))
    target.write_text(relevance_set_json(cases), encoding="utf-8")
    return target


if __name__ == "__main__":
    write_relevance_set()
