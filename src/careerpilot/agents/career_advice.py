"""The career advice agent: what to learn and where to apply, computed from the network's jobs.

The target jobs come from fixed skill calls, made concurrently with ``get_member``:

* the open job page: that job (``get_job``), then the jobs most like it (``search_jobs`` with
  its title);
* a question that names a title or a family ("how do I become a data scientist", "move into
  product management"): ``search_jobs`` for it, filtered to its family;
* otherwise ("what should I learn next?"): ``match_jobs``, the jobs that fit the profile.

Before any LLM call the agent computes the plan: the required skills most often asked across the
target jobs that the member lacks (on a job page, those that job requires first), the target jobs
needing the fewest of those, a goal and three steps. That goes out as an ``action_plan``
component; the LLM then only words those facts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import AsyncGenerator, Callable, Iterable, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from typing import ClassVar

from careerpilot.agents.base import Agent, SkillCall, TurnContext
from careerpilot.agents.job_assessment import job_card
from careerpilot.agents.job_fit import normalise_skill
from careerpilot.agents.prompting import narrate
from careerpilot.network.schemas import Job, Member, Page, Position
from careerpilot.network.taxonomy import FAMILIES, base_title
from careerpilot.pipeline.events import ComponentEvent, Event, SuggestionsEvent, TextEvent
from careerpilot.retrieval.query_facets import facets
from careerpilot.ui.components import ActionPlan, SkillToLearn

__all__ = [
    "CareerAdviceAgent",
    "Target",
    "advice_facts",
    "build_plan",
    "job_card",
    "named_target",
    "total_years",
]

TARGET_JOBS = 10  # jobs the plan is computed over
SKILLS_TO_LEARN = 3
MATCHING_JOBS = 3


@dataclass(frozen=True, slots=True)
class Target:
    """What the member aims at: a taxonomy title, a family, an open job, or (kind "profile")
    jobs like the one they have."""

    kind: str  # title | family | job | profile
    label: str  # "Data Scientist", "Product Management", the open job's base title, "matching"
    family: str | None = None


def named_target(question: str) -> Target | None:
    """The title or family ``question`` names as a goal; the last one named wins ("from data
    analyst to data engineer" -> Data Engineer). None when it names neither."""
    found: Target | None = None
    for span in facets(question).spans:
        named = facets(span)
        if named.titles:
            title = min(named.titles)
            found = Target("title", title, min(named.families) if named.families else None)
        elif named.families:
            family = min(named.families)
            found = Target("family", FAMILIES[family].label, family)
    return found


def total_years(positions: Iterable[Position], today: dt.date) -> float:
    """Years covered by the member's positions up to ``today``, overlaps counted once."""
    spans = sorted(
        (p.start_date, min(p.end_date or today, today))
        for p in positions
        if min(p.end_date or today, today) > p.start_date
    )
    days = 0
    current: tuple[dt.date, dt.date] | None = None
    for start, end in spans:
        if current is None or start > current[1]:
            if current is not None:
                days += (current[1] - current[0]).days
            current = (start, end)
        else:
            current = (current[0], max(current[1], end))
    if current is not None:
        days += (current[1] - current[0]).days
    return days / 365.25


def _article(words: str) -> str:
    vowel = words[:1].lower() in "aeio" or (
        words[:1].lower() == "u" and not words.lower().startswith(("ux", "uni", "us"))
    )
    return f"an {words}" if vowel else f"a {words}"


def _field(position: Position) -> str:
    family = FAMILIES.get(position.family)
    return family.field if family is not None else position.family.replace("_", " ")


def _base(title: str) -> str:
    try:
        return base_title(title)
    except KeyError:
        return title


def _goal(member: Member, target: Target, job: Job | None) -> str:
    current = member.positions[0] if member.positions else None
    if job is not None:
        return f"qualify for the {job.title} role at {job.company_name}"
    if target.kind == "title":
        if current is not None and _base(current.title) == target.label:
            return f"grow as {_article(target.label)}"
        return f"become {_article(target.label)}"
    if target.kind == "family":
        field = FAMILIES[target.family].field if target.family in FAMILIES else target.label
        if current is not None and current.family == target.family:
            return f"grow in {field}"
        return f"move into {field}"
    if current is not None:
        return f"grow as {_article(current.title)}"
    return "find a role that fits your skills"


def _steps(learn: list[SkillToLearn], strength: str | None, apply_to: Job) -> list[str]:
    steps = [f"learn {learn[0].skill}"] if learn else []
    if len(learn) > 1:
        steps.append(f"build a small project using {learn[1].skill}")
    elif strength is not None:
        steps.append(f"show the {strength} you already have in a small project")
    if len(steps) < 2:
        steps.append("compare your profile with the matching jobs and fill in what is missing")
    steps.append(f"apply to the {apply_to.title} role at {apply_to.company_name}")
    return steps


def build_plan(
    member: Member, targets: Sequence[Job], target: Target, job: Job | None = None
) -> ActionPlan:
    """The action plan over ``targets`` (search order): every figure counted, none generated.

    ``job`` is the open job page's job, when there is one: the skills it requires are learned
    first, and it is the one to apply to.
    """
    held = {normalise_skill(s) for s in member.skills}
    asking: Counter[str] = Counter()
    shown: dict[str, str] = {}  # normalised -> the first spelling a job used
    strengths: Counter[str] = Counter()
    for each in targets:
        for skill in dict.fromkeys(normalise_skill(s) for s in each.required_skills):
            (strengths if skill in held else asking)[skill] += 1
        for skill in each.required_skills:
            shown.setdefault(normalise_skill(skill), skill)
    considered = len(targets)
    # On a job page, what that job requires comes first. Among equals the sort keeps the
    # counter's first-seen order, so search order breaks ties.
    wanted = {normalise_skill(s) for s in job.required_skills} if job is not None else set()
    ranked = sorted(asking.items(), key=lambda item: (item[0] not in wanted, -item[1]))
    learn = [
        SkillToLearn(
            skill=shown[skill],
            jobs_asking=n,
            jobs_considered=considered,
            why=f"required by {n} of {considered} {target.label} jobs",
        )
        for skill, n in ranked[:SKILLS_TO_LEARN]
    ]

    def lacking(candidate: Job) -> int:
        return sum(normalise_skill(s) not in held for s in set(candidate.required_skills))

    matching = sorted(targets, key=lacking)[:MATCHING_JOBS]  # stable: ties keep search order
    strength = shown[strengths.most_common(1)[0][0]] if strengths else None
    goal = _goal(member, target, job)
    steps = _steps(learn, strength, job if job is not None else matching[0])
    text = (
        f"To {goal}: "
        + (f"learn {', '.join(s.skill for s in learn)}" if learn else "no required skill missing")
        + "; jobs that fit: "
        + "; ".join(f"{j.title} at {j.company_name}" for j in matching)
        + "."
    )
    return ActionPlan(
        member_id=member.id,
        goal=goal,
        steps=steps,
        skills_to_learn=learn,
        matching_jobs=[job_card(j) for j in matching],
        text=text,
    )


def advice_facts(member: Member, plan: ActionPlan, today: dt.date) -> str:
    """The facts the narrative may use, in the example store's line format."""
    skills = ", ".join(member.skills) if member.skills else "none"
    if member.positions:
        current = member.positions[0]
        years = round(total_years(member.positions, today))
        unit = "year" if years == 1 else "years"
        you = f"You: {current.title}, {years} {unit} in {_field(current)}; skills: {skills}"
    else:
        you = f"You: no positions yet; skills: {skills}"
    learn = ", ".join(
        f"{s.skill} (in {s.jobs_asking} of {s.jobs_considered} matching jobs)"
        for s in plan.skills_to_learn
    )
    jobs = "; ".join(f"{c.title} at {c.company_name}" for c in plan.matching_jobs)
    steps = "; ".join(f"{n}. {step}" for n, step in enumerate(plan.steps, start=1))
    return "\n".join(
        [
            you,
            f"Goal: {plan.goal}",
            f"Skills to learn: {learn or 'none'}",
            f"Matching jobs: {jobs or 'none'}",
            f"Steps: {steps}",
        ]
    )


def _suggestions(plan: ActionPlan, job: Job | None) -> list[str]:
    out = []
    if plan.skills_to_learn:
        out.append(f"How can I learn {plan.skills_to_learn[0].skill}?")
    if job is not None:
        out.append("Am I a good fit for this job?")
    elif plan.matching_jobs:
        best = plan.matching_jobs[0]
        out.append(f"Am I a good fit for the {best.title} role at {best.company_name}?")
    out.append("Which other jobs fit my profile?")
    return out


def _no_targets(target: Target) -> str:
    if target.kind == "profile":
        return (
            "I could not find jobs on the network that fit your profile yet. Add your skills "
            'to your profile, or name the role you want, e.g. "how do I become a data analyst?"'
        )
    return (
        f"I could not find any {target.label} jobs on the network to build a plan from. "
        'Try naming another role, e.g. "how do I become a data analyst?"'
    )


def _jobs(output: object) -> list[Job]:
    return [j for j in output.items if isinstance(j, Job)] if isinstance(output, Page) else []


class CareerAdviceAgent(Agent):
    name: ClassVar[str] = "career_advice"

    def __init__(self, today: Callable[[], dt.date] = dt.date.today) -> None:
        self.today = today

    async def run(self, turn: TurnContext) -> AsyncGenerator[Event, None]:
        get_member = SkillCall("get_member", {"member_id": turn.member_id})
        page_job: Job | None = None
        results: list[object] = []
        if turn.page is not None and turn.page.type == "job":
            calls = [get_member, SkillCall("get_job", {"job_id": turn.page.id})]
            async with aclosing(turn.skills_into(calls, results)) as events:
                async for event in events:
                    yield event
            member, opened = results
            assert isinstance(opened, Job)
            page_job = opened
            similar: list[object] = []
            search = SkillCall("search_jobs", {"q": page_job.title, "limit": TARGET_JOBS})
            async with aclosing(turn.skills_into([search], similar)) as events:
                async for event in events:
                    yield event
            others = [j for j in _jobs(similar[0]) if j.id != page_job.id]
            targets = [page_job, *others][:TARGET_JOBS]
            target = Target("job", _base(page_job.title), page_job.family)
        else:
            named = named_target(turn.question)
            if named is None:
                target = Target("profile", "matching")
                args: dict[str, object] = {"member_id": turn.member_id, "limit": TARGET_JOBS}
                lookup = SkillCall("match_jobs", args)
            else:
                target = named
                args = {"q": named.label, "limit": TARGET_JOBS}
                if named.family is not None:
                    args["family"] = named.family
                lookup = SkillCall("search_jobs", args)
            async with aclosing(turn.skills_into([get_member, lookup], results)) as events:
                async for event in events:
                    yield event
            member = results[0]
            targets = _jobs(results[1])[:TARGET_JOBS]
        assert isinstance(member, Member)
        if not targets:
            yield TextEvent(delta=_no_targets(target))
            yield SuggestionsEvent(suggestions=["Which jobs fit my profile?"])
            return
        with turn.timer.stage("advice"):
            plan = build_plan(member, targets, target, page_job)
            facts = advice_facts(member, plan, self.today())
        turn.timer.component()
        yield ComponentEvent(component=plan.model_dump(mode="json"))
        async with aclosing(narrate(turn, self.name, facts)) as text:
            async for delta in text:
                yield delta
        yield SuggestionsEvent(suggestions=_suggestions(plan, page_job))
