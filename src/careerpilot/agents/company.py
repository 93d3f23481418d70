"""The company agent: what a company is and what the network holds about it.

The company is the open company page, the company of the open job page, a company named by id
("company 12"), or a company named in words ("What does Novaforge do?"): its distinctive words
are looked up with ``search_companies`` and the result whose name shares the most words with
the question wins, provided they share at least one distinctive (non-generic) word.

Four skill calls run concurrently: the company's profile, its open jobs (the page total is the
count), the members whose current position is there (likewise) and its recent posts. The agent
computes a ``company_card`` component from them, sends it, then has the LLM narrate only those
facts, in the example store's line format.
"""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, Sequence
from contextlib import aclosing
from typing import Any, ClassVar

from careerpilot.agents.base import Agent, SkillCall, TurnContext
from careerpilot.agents.prompting import narrate
from careerpilot.errors import NotFoundError
from careerpilot.network.schemas import Company, Job, Member, Page, Post
from careerpilot.pipeline.events import (
    ComponentEvent,
    Event,
    StatusEvent,
    SuggestionsEvent,
    TextEvent,
)
from careerpilot.ui.components import CompanyCard, Notice, PostRef

__all__ = [
    "CompanyAgent",
    "best_company",
    "company_card",
    "company_facts",
    "lookup_words",
]

JOBS_SHOWN = 5  # jobs fetched for the top titles (the count is the page total)
TOP_TITLES = 3
RECENT_POSTS = 3
MAX_LOOKUPS = 4  # name words searched, at most, for a company named in words

# "company 12", "company #12", "company id 12": a company named by id.
_COMPANY_REF = re.compile(r"\bcompany\s*(?:id\s*)?#?\s*(\d{1,9})\b", re.IGNORECASE)

# Words that ask about a company rather than name one: never searched.
_QUESTION_WORDS = frozenset(
    [
        "a",
        "about",
        "after",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "anything",
        "are",
        "as",
        "ask",
        "at",
        "based",
        "be",
        "been",
        "before",
        "best",
        "big",
        "biggest",
        "but",
        "by",
        "can",
        "company",
        "companies",
        "could",
        "culture",
        "describe",
        "detail",
        "details",
        "did",
        "do",
        "does",
        "doing",
        "employer",
        "employees",
        "every",
        "firm",
        "for",
        "from",
        "founded",
        "get",
        "give",
        "good",
        "have",
        "has",
        "headquarters",
        "headquartered",
        "hello",
        "help",
        "hey",
        "hi",
        "hire",
        "hires",
        "hiring",
        "how",
        "i",
        "if",
        "in",
        "info",
        "information",
        "interview",
        "is",
        "it",
        "its",
        "job",
        "jobs",
        "just",
        "know",
        "large",
        "like",
        "located",
        "location",
        "locations",
        "look",
        "looking",
        "many",
        "me",
        "more",
        "most",
        "much",
        "my",
        "need",
        "next",
        "now",
        "of",
        "office",
        "offices",
        "on",
        "open",
        "openings",
        "or",
        "org",
        "organisation",
        "organization",
        "our",
        "overview",
        "people",
        "place",
        "please",
        "pls",
        "positions",
        "profile",
        "roles",
        "role",
        "salary",
        "salaries",
        "say",
        "see",
        "should",
        "size",
        "small",
        "some",
        "something",
        "tell",
        "than",
        "thanks",
        "that",
        "the",
        "their",
        "them",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "up",
        "us",
        "vacancies",
        "want",
        "was",
        "we",
        "week",
        "well",
        "were",
        "what",
        "whats",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "whose",
        "why",
        "will",
        "with",
        "work",
        "working",
        "would",
        "you",
        "your",
    ]
)

# Words common to many company names: on their own they do not name one ("Insurance").
GENERIC_NAME_WORDS = frozenset(
    [
        "academy",
        "ai",
        "analytics",
        "associates",
        "bank",
        "capital",
        "cloud",
        "co",
        "consulting",
        "corp",
        "corporation",
        "design",
        "digital",
        "dynamics",
        "energy",
        "enterprises",
        "foods",
        "global",
        "group",
        "health",
        "healthcare",
        "holdings",
        "hospital",
        "inc",
        "industries",
        "institute",
        "insurance",
        "international",
        "labs",
        "law",
        "limited",
        "llc",
        "llp",
        "logistics",
        "ltd",
        "market",
        "media",
        "networks",
        "partners",
        "press",
        "properties",
        "school",
        "services",
        "software",
        "solutions",
        "studio",
        "studios",
        "systems",
        "tech",
        "technologies",
        "technology",
        "the",
        "university",
        "ventures",
    ]
)


def _words(text: str) -> list[str]:
    """Lowercased words, possessives dropped: "Novaforge's team" -> ["novaforge", "team"]."""
    return re.findall(r"[^\W_]+", re.sub(r"['’]s\b", "", text).lower())


def lookup_words(question: str) -> list[str]:
    """The question's words worth a ``search_companies`` lookup, capitalised ones first:
    "is Walker AI hiring engineers?" -> ["walker", "engineers"]."""
    cased = re.findall(r"[^\W_]+", re.sub(r"['’]s\b", "", question))
    capitalised = [w.lower() for w in cased if w[0].isupper()]
    ordered = [*capitalised, *(w.lower() for w in cased)]
    out: list[str] = []
    for word in ordered:
        distinctive = word not in _QUESTION_WORDS and word not in GENERIC_NAME_WORDS
        if distinctive and len(word) >= 3 and not word.isdigit() and word not in out:
            out.append(word)
    return out[:MAX_LOOKUPS]


def best_company(candidates: Sequence[Company], question: str) -> Company | None:
    """The candidate the question names: most distinctive name words shared, then most name
    words shared, then the largest share of its name; ties keep search order. None when no
    candidate shares a distinctive word with the question."""
    asked = set(_words(question))

    def score(company: Company) -> tuple[int, int, float]:
        name = set(_words(company.name))
        shared = asked & name
        return (len(shared - GENERIC_NAME_WORDS), len(shared), len(shared) / max(len(name), 1))

    best = max(candidates, key=score, default=None)
    return best if best is not None and score(best)[0] > 0 else None


def _cities(locations: Sequence[str]) -> list[str]:
    """ "Houston, TX, United States" -> "Houston", so that the facts line stays one list."""
    out: list[str] = []
    for location in locations:
        city = location.split(",")[0].strip()
        if city and city not in out:
            out.append(city)
    return out


def _top_titles(jobs: Sequence[Job]) -> list[str]:
    titles: list[str] = []
    for job in jobs:
        if job.title not in titles:
            titles.append(job.title)
    return titles[:TOP_TITLES]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# The company itself is the answer; its jobs, people and posts add to it. When their API fails,
# the card and the answer go on without them, with a notice.
OPTIONAL_SKILLS = frozenset({"search_jobs", "search_people", "search_posts"})

_WHAT = {"search_jobs": "open jobs", "search_people": "people", "search_posts": "recent posts"}


def unavailable_notice(skills: list[str]) -> Notice:
    missing = ", ".join(_WHAT.get(s, s) for s in skills)
    return Notice(
        level="warning",
        text=f"Some of this company's information could not be loaded right now ({missing}); "
        "the answer leaves it out. Ask again in a moment for the full picture.",
    )


def company_card(
    company: Company,
    jobs: Page[Job] | None,
    people: Page[Member] | None,
    posts: Page[Post] | None,
) -> CompanyCard:
    """The card, every count taken from the network: open jobs and members are page totals.
    A page that could not be loaded (None) leaves its count unknown, not zero."""
    known = [
        _plural(jobs.total, "open job") if jobs is not None else None,
        _plural(people.total, "member") if people is not None else None,
    ]
    on_network = " and ".join(k for k in known if k)
    summary = (
        f"{company.name}: {company.industry}, {company.size_band} employees, "
        f"based in {company.headquarters}"
        + (f"; {on_network} on the network." if on_network else ".")
    )
    return CompanyCard(
        company_id=company.id,
        name=company.name,
        industry=company.industry,
        size_band=company.size_band,
        employee_count=company.employee_count,
        members_on_network=people.total if people is not None else None,
        headquarters=company.headquarters,
        locations=list(company.locations),
        specialties=list(company.specialties),
        website=company.website,
        open_jobs=jobs.total if jobs is not None else None,
        top_titles=_top_titles(jobs.items) if jobs is not None else [],
        recent_posts=[PostRef(post_id=p.id, title=p.title, topic=p.topic) for p in posts.items]
        if posts is not None
        else [],
        text=summary,
    )


def company_facts(card: CompanyCard, founded_year: int) -> str:
    """The facts the narrative may use, in the example store's line format."""
    # Unknown is said as unknown: the model must not read a missing count as zero.
    unknown = "unknown (could not be loaded)"
    jobs = f"Open jobs on the network: {unknown if card.open_jobs is None else card.open_jobs}"
    if card.open_jobs and card.top_titles:
        jobs += f" (top titles: {', '.join(card.top_titles)})"
    posts = "; ".join(f'"{p.title}" ({p.topic})' for p in card.recent_posts) or "none"
    members = unknown if card.members_on_network is None else card.members_on_network
    return "\n".join(
        [
            f"Company: {card.name}, {card.industry}, {card.size_band} employees "
            f"({members} on the network)",
            f"Founded: {founded_year}; headquarters: {card.headquarters}",
            f"Locations: {', '.join(_cities(card.locations)) or 'none'}",
            f"Specialties: {', '.join(card.specialties) or 'none'}",
            jobs,
            f"Recent posts: {posts}",
        ]
    )


def _suggestions(card: CompanyCard) -> list[str]:
    if card.open_jobs:
        return [f"Show me open jobs at {card.name}", "Am I a good fit for one of their jobs?"]
    return ["Which jobs fit my profile?"]


def _not_found() -> list[Event]:
    return [
        TextEvent(
            delta="I could not find that company on the network. Open its page (or name it, "
            'e.g. "company 12") and ask again.'
        ),
        SuggestionsEvent(suggestions=["Which jobs fit my profile?"]),
    ]


class CompanyAgent(Agent):
    name: ClassVar[str] = "company"

    async def _look_up(
        self, turn: TurnContext, found: list[int]
    ) -> AsyncGenerator[StatusEvent, None]:
        """Find the company the question names in words; its id goes to ``found``."""
        words = lookup_words(turn.question)
        if not words:
            return
        calls = [SkillCall("search_companies", {"name": w, "limit": 10}) for w in words]
        pages: list[Any] = []
        async for event in turn.skills_into(calls, pages):
            yield event
        seen: set[int] = set()
        candidates: list[Company] = []
        for page in pages:
            for company in page.items if isinstance(page, Page) else []:
                if isinstance(company, Company) and company.id not in seen:
                    seen.add(company.id)
                    candidates.append(company)
        best = best_company(candidates, turn.question)
        if best is not None:
            found.append(best.id)

    async def _company_id(
        self, turn: TurnContext, found: list[int]
    ) -> AsyncGenerator[StatusEvent, None]:
        """Resolve the company: page context, then an id in the question, then its words."""
        if turn.page is not None and turn.page.type == "company":
            found.append(turn.page.id)
            return
        if turn.page is not None and turn.page.type == "job":
            jobs: list[Any] = []
            async for event in turn.skills_into(
                [SkillCall("get_job", {"job_id": turn.page.id})], jobs
            ):
                yield event
            if jobs and isinstance(jobs[0], Job):
                found.append(jobs[0].company_id)
                return
        match = _COMPANY_REF.search(turn.question)
        if match:
            found.append(int(match.group(1)))
            return
        async for event in self._look_up(turn, found):
            yield event

    async def run(self, turn: TurnContext) -> AsyncGenerator[Event, None]:
        found: list[int] = []
        async with aclosing(self._company_id(turn, found)) as resolving:
            async for status in resolving:
                yield status
        if not found:
            for reply in _not_found():
                yield reply
            return
        company_id = found[0]
        calls = [
            SkillCall("get_company", {"company_id": company_id}),
            SkillCall("search_jobs", {"company_id": company_id, "limit": JOBS_SHOWN}),
            SkillCall("search_people", {"company_id": company_id, "limit": 1}),
            SkillCall("search_posts", {"company_id": company_id, "limit": RECENT_POSTS}),
        ]
        results: list[Any] = []
        try:
            async with aclosing(turn.skills_into(calls, results, OPTIONAL_SKILLS)) as steps:
                async for status in steps:
                    yield status
        except NotFoundError as exc:
            if exc.kind != "company":
                raise
            yield StatusEvent(stage="skill", state="failed", skill="get_company", detail=str(exc))
            for reply in _not_found():
                yield reply
            return
        company, jobs, people, posts = results
        assert isinstance(company, Company)
        card = company_card(company, jobs, people, posts)
        turn.timer.component()
        yield ComponentEvent(component=card.model_dump(mode="json"))
        if turn.unavailable:
            yield ComponentEvent(component=unavailable_notice(turn.unavailable).model_dump())
        facts = company_facts(card, company.founded_year)
        async with aclosing(narrate(turn, self.name, facts)) as text:
            async for chunk in text:
                yield chunk
        yield SuggestionsEvent(suggestions=_suggestions(card))
