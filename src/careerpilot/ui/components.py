"""Server-driven UI components: the server decides what is shown, clients render by ``type``.

Every component carries a ``text`` fallback so that a client that does not know the type can
still show something true.

On the wire a component travels in a ``component`` event with an ``id`` unique within the turn.
It is sent whole, and may then be filled progressively by ``patch`` events naming that id
(``op`` ``set`` or ``append`` at a dotted ``path``), for example the ``cited`` flag of a source
once the answer cites it. The answer's own words stream as ``text`` events, the deltas of the
turn's ``text`` component.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, TypeAdapter

__all__ = [
    "SCHEMA_VERSION",
    "ActionPlan",
    "Citations",
    "CompanyCard",
    "Component",
    "JobCard",
    "JobFit",
    "Notice",
    "PostRef",
    "PostTakeaways",
    "SkillToLearn",
    "Source",
    "SuggestionChips",
    "Takeaway",
    "TextBlock",
    "component_schema",
]

SCHEMA_VERSION = "4"  # 4: company_card counts may be null (could not be loaded)


class JobCard(BaseModel):
    type: Literal["job_card"] = "job_card"
    job_id: int
    title: str
    company_name: str
    location: str
    remote: bool
    seniority: str
    salary_range: str
    text: str


class JobFit(BaseModel):
    """How a member's profile meets a job's requirements: every figure computed, none generated."""

    type: Literal["job_fit"] = "job_fit"
    job: JobCard
    member_id: int
    score: float = Field(
        ge=0, le=1, description="0-1, weighted: required skills, experience, extras"
    )
    verdict: Literal["strong", "good", "partial", "weak"]
    matched_required: list[str]
    missing_required: list[str]
    nice_to_have_held: list[str]
    nice_to_have_missing: list[str]
    relevant_years: float
    required_years_min: int
    required_years_max: int | None
    experience: Literal["below", "within", "above"]
    relevant_positions: list[str] = Field(
        description="'Title at Company (years)' counted as relevant"
    )
    text: str


class Takeaway(BaseModel):
    text: str = Field(description="the point, in the post's own words")
    quote: str = Field(description="the exact span of the post body this point rests on")
    start: int = Field(ge=0, description="character offset of the quote in the post body")
    end: int = Field(ge=0)


class PostTakeaways(BaseModel):
    """The points of a post, each anchored to a quoted span of its body (extracted, not written)."""

    type: Literal["post_takeaways"] = "post_takeaways"
    post_id: int
    title: str
    author_name: str
    topic: str
    takeaways: list[Takeaway]
    text: str


class PostRef(BaseModel):
    post_id: int
    title: str
    topic: str


class CompanyCard(BaseModel):
    """A company as the network knows it: its profile plus counts computed from the network."""

    type: Literal["company_card"] = "company_card"
    company_id: int
    name: str
    industry: str
    size_band: str
    employee_count: int = Field(description="the company's stated headcount")
    members_on_network: int | None = Field(
        description="members whose current position is here (null: could not be loaded)"
    )
    headquarters: str
    locations: list[str]
    specialties: list[str]
    website: str
    open_jobs: int | None = Field(
        description="open jobs on the network (null: could not be loaded)"
    )
    top_titles: list[str]
    recent_posts: list[PostRef]
    text: str


class SkillToLearn(BaseModel):
    skill: str
    jobs_asking: int = Field(description="how many of the matching jobs require it")
    jobs_considered: int
    why: str


class ActionPlan(BaseModel):
    """Career guidance with computed parts: skills the member lacks and jobs that fit."""

    type: Literal["action_plan"] = "action_plan"
    member_id: int
    goal: str
    steps: list[str]
    skills_to_learn: list[SkillToLearn]
    matching_jobs: list[JobCard]
    text: str


class Notice(BaseModel):
    """Something the member should know about the answer: an error or a degraded answer."""

    type: Literal["notice"] = "notice"
    level: Literal["info", "warning", "error"]
    text: str


class TextBlock(BaseModel):
    """Plain text. The streamed answer is one, filled by ``text`` events."""

    type: Literal["text"] = "text"
    text: str


class SuggestionChips(BaseModel):
    """Follow-up questions the member can send with one tap."""

    type: Literal["suggestion_chips"] = "suggestion_chips"
    chips: list[str]
    text: str


class Source(BaseModel):
    index: int = Field(ge=1, description="the number the answer cites it by, [index]")
    title: str
    url: str
    snippet: str | None = None
    cited: bool = Field(False, description="set by a patch when the answer cites it")


class Citations(BaseModel):
    """The sources an answer was written from; ``citation`` events mark where it cites them."""

    type: Literal["citations"] = "citations"
    sources: list[Source]
    text: str


Component = (
    TextBlock
    | JobCard
    | JobFit
    | PostTakeaways
    | CompanyCard
    | ActionPlan
    | SuggestionChips
    | Citations
    | Notice
)


def component_schema() -> dict[str, Any]:
    """JSON Schema of every component, versioned (``GET /v1/ui/schema``)."""
    adapter: TypeAdapter[Component] = TypeAdapter(Component)
    schema = adapter.json_schema()
    schema["$id"] = f"https://careerpilot.invalid/ui/schema/v{SCHEMA_VERSION}"
    schema["version"] = SCHEMA_VERSION
    return schema
