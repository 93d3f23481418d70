"""The job assessment agent: how the member fits a specific job.

It fetches the job and the member's profile through skills, computes the fit (skills matched,
required skills missing, extras held, relevant years against the seniority), sends that as a
``job_fit`` component, then has the LLM narrate only those facts.

The job is the open job page, a job named by id ("job 12"), or, for a job named in words ("the
Senior Data Engineer role at Globex"), the best match of a ``search_jobs`` lookup that the
LLM plans (``Planner``: constrained decoding, one re-ask, then a fallback that searches with
the question itself).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncGenerator, Callable, Collection
from contextlib import aclosing
from typing import ClassVar

from careerpilot.agents.base import Agent, SkillCall, TurnContext
from careerpilot.agents.job_fit import FitAssessment, assess_fit
from careerpilot.agents.planning import Plan, PlanExample, Planner, PlanOutcome, PlanStep
from careerpilot.agents.prompting import narrate
from careerpilot.network.schemas import Job, Member, Page
from careerpilot.pipeline.events import (
    ComponentEvent,
    Event,
    StatusEvent,
    SuggestionsEvent,
    TextEvent,
)
from careerpilot.ui.components import JobCard, JobFit

__all__ = ["JobAssessmentAgent", "fit_component", "job_card", "job_facts", "lookup_query"]

# "job 12", "job #12", "#12": a job named by id in the question when no job page is open.
_JOB_REF = re.compile(r"(?:\bjob\s*#?\s*|#)(\d{1,9})\b", re.IGNORECASE)

# The lookup a job named in words needs: one search, its words and filters taken from the
# question. The example shows the shape; the schema keeps the model to search_jobs' args.
LOOKUP_SKILLS = ("search_jobs",)
LOOKUP_EXAMPLES = (
    PlanExample(
        question="Am I a good fit for the senior data engineer job at Northwind in Berlin?",
        plan=Plan(
            thought="Find that job.",
            steps=[
                PlanStep(
                    skill="search_jobs",
                    args={"q": "data engineer Northwind", "seniority": "senior", "limit": 3},
                )
            ],
        ),
    ),
)


# Words that ask about fit rather than name the job: left out of the fallback's search, where
# they would only blur the dense side of the ranking ("good fit" matches every description).
_FIT_WORDS = frozenset(
    [
        "a",
        "am",
        "an",
        "and",
        "any",
        "apply",
        "are",
        "be",
        "chance",
        "chances",
        "do",
        "does",
        "fit",
        "for",
        "get",
        "good",
        "how",
        "i",
        "is",
        "it",
        "job",
        "match",
        "me",
        "my",
        "of",
        "offer",
        "opening",
        "position",
        "qualified",
        "role",
        "should",
        "suited",
        "the",
        "this",
        "to",
        "well",
        "what",
        "would",
    ]
)


def lookup_query(question: str) -> str:
    """The words of ``question`` that name the job: "Am I a good fit for the DevOps Engineer
    role at Novaforge?" -> "DevOps Engineer at Novaforge"."""
    words = re.findall(r"[\w+#.&'-]+", question)
    kept = [w.strip(".") for w in words if w.lower().strip(".") not in _FIT_WORDS]
    return " ".join(w for w in kept if w)[:200] or question[:200]


def salary_range(job: Job) -> str:
    return f"{job.salary_currency} {job.salary_min:,}–{job.salary_max:,}"


def job_card(job: Job) -> JobCard:
    """The card a job is shown as, inside any component."""
    return JobCard(
        job_id=job.id,
        title=job.title,
        company_name=job.company_name,
        location="Remote" if job.remote else job.location,
        remote=job.remote,
        seniority=job.seniority.value,
        salary_range=salary_range(job),
        text=f"{job.title} at {job.company_name} ({job.location})",
    )


def _years_wanted(fit: FitAssessment) -> str:
    low, high = fit.required_years
    return f"{low}+ years" if high is None else f"{low}–{high} years"


def fit_component(member: Member, job: Job, fit: FitAssessment) -> JobFit:
    card = job_card(job)
    summary = (
        f"{fit.verdict.capitalize()} fit ({round(fit.score * 100)}%): "
        f"{len(fit.matched_required)} of {len(job.required_skills)} required skills"
        + (f", missing {', '.join(fit.missing_required)}" if fit.missing_required else "")
        + f"; {fit.relevant_years:g} relevant years, the role asks {_years_wanted(fit)}."
    )
    low, high = fit.required_years
    return JobFit(
        job=card,
        member_id=member.id,
        score=fit.score,
        verdict=fit.verdict,
        matched_required=fit.matched_required,
        missing_required=fit.missing_required,
        nice_to_have_held=fit.nice_to_have_held,
        nice_to_have_missing=fit.nice_to_have_missing,
        relevant_years=fit.relevant_years,
        required_years_min=low,
        required_years_max=high,
        experience=fit.experience,
        relevant_positions=fit.relevant_positions,
        text=summary,
    )


def _facts(job: Job, fit: FitAssessment) -> str:
    def listing(items: list[str]) -> str:
        return ", ".join(items) if items else "none"

    return "\n".join(
        [
            f"Job: {job.title} at {job.company_name}, {job.seniority.value} level",
            f"Verdict: {fit.verdict} fit ({round(fit.score * 100)}%)",
            f"Required skills you have: {listing(fit.matched_required)}",
            f"Required skills you lack: {listing(fit.missing_required)}",
            f"Nice-to-have skills you have: {listing(fit.nice_to_have_held)}",
            f"Your relevant experience: {fit.relevant_years:g} years; the job asks "
            f"{_years_wanted(fit)} ({fit.experience} the range)",
        ]
    )


def job_facts(job: Job, fit: FitAssessment) -> str:
    """The facts the narrative may use, in the example store's line format."""
    return _facts(job, fit)


def _suggestions(job: Job, fit: FitAssessment) -> list[str]:
    out = []
    if fit.missing_required:
        out.append(f"How can I learn {fit.missing_required[0]}?")
    out.append(f"What does {job.company_name} do?")
    out.append("Find similar jobs that fit me better")
    return out


def _words(text: str) -> set[str]:
    found = {w.lower().strip(".") for w in re.findall(r"[\w+#.&'-]+", text)}
    return found - _FIT_WORDS - {"at", "in", "near"}


def _best_job(candidates: list[Job], question: str) -> Job | None:
    """The candidate the question names: most words shared with its title, company and place;
    ties keep search order (best match first). None when no candidate shares a word: semantic
    search always returns something, but a job the question does not name is not "that job"."""
    asked = _words(question)

    def named(job: Job) -> int:
        return len(asked & _words(f"{job.title} {job.company_name} {job.location}"))

    best = max(candidates, key=named, default=None)
    return best if best is not None and named(best) > 0 else None


def _jobs(outcome: PlanOutcome | None) -> list[Job]:
    pages = [step.output for step in outcome.steps] if outcome is not None else []
    return [j for p in pages if isinstance(p, Page) for j in p.items if isinstance(j, Job)]


class JobAssessmentAgent(Agent):
    name: ClassVar[str] = "job_assessment"

    def __init__(
        self,
        related_families: Callable[[str], Collection[str]],
        today: Callable[[], dt.date] = dt.date.today,
        planner: Planner | None = None,
    ) -> None:
        self.related_families = related_families
        self.today = today
        self.planner = planner or Planner(max_steps=1)

    def _job_id(self, turn: TurnContext) -> int | None:
        if turn.page is not None and turn.page.type == "job":
            return turn.page.id
        match = _JOB_REF.search(turn.question)
        return int(match.group(1)) if match else None

    def _look_up(self, turn: TurnContext) -> AsyncGenerator[StatusEvent | PlanOutcome, None]:
        """Plan and run the lookup of a job named in words."""
        fallback = [SkillCall("search_jobs", {"q": lookup_query(turn.question), "limit": 3})]
        return self.planner.run(
            turn,
            skills=LOOKUP_SKILLS,
            request=turn.question,
            examples=LOOKUP_EXAMPLES,
            fallback=lambda: fallback,
        )

    async def run(self, turn: TurnContext) -> AsyncGenerator[Event, None]:
        job_id = self._job_id(turn)
        if job_id is None:
            candidates: list[Job] = []
            async with aclosing(self._look_up(turn)) as lookup:
                async for planned in lookup:
                    if isinstance(planned, PlanOutcome):
                        candidates = _jobs(planned)
                    else:
                        yield planned
            # A small model may plan too broad a search ("Novaforge" alone): the question's own
            # words, searched as well, make sure the job it names is among the candidates.
            direct = SkillCall("search_jobs", {"q": lookup_query(turn.question), "limit": 5})
            async with aclosing(turn.call_skills([direct])) as steps:
                async for item in steps:
                    if isinstance(item, list):
                        page = item[0]
                        candidates += page.items if isinstance(page, Page) else []
                    else:
                        yield item
            found = _best_job(candidates, turn.question)
            if found is None:
                yield TextEvent(
                    delta='I could not find that job. Open it (or name it, e.g. "job 12") '
                    "and ask again: I will compare it with your profile."
                )
                yield SuggestionsEvent(suggestions=["Which jobs fit my profile?"])
                return
            job_id = found.id
        results: list[object] = []
        calls = [
            SkillCall("get_job", {"job_id": job_id}),
            SkillCall("get_member", {"member_id": turn.member_id}),
        ]
        async with aclosing(turn.call_skills(calls)) as steps:
            async for item in steps:
                if isinstance(item, list):
                    results = item
                else:
                    yield item
        job, member = results
        assert isinstance(job, Job) and isinstance(member, Member)
        with turn.timer.stage("assessment"):
            fit = assess_fit(member, job, self.related_families(job.family), self.today())
        turn.timer.component()
        yield ComponentEvent(component=fit_component(member, job, fit).model_dump(mode="json"))
        async with aclosing(narrate(turn, self.name, _facts(job, fit))) as text:
            async for event in text:
                yield event
        yield SuggestionsEvent(suggestions=_suggestions(job, fit))
