"""LLM-friendly views of skill outputs: only what an agent's prompt needs, in few tokens.

Raw API records repeat keys, ids and empty fields and carry long descriptions the component
already shows. A view keeps the fields a narrative or a plan uses, folds structure into short
lines, and ``render`` writes it as compact ``key: value`` text (no JSON punctuation).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel

from careerpilot.network.schemas import Company, Job, Member, Page, Post

__all__ = ["company_view", "job_view", "member_view", "post_view", "render", "view"]


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _years(start: dt.date, end: dt.date | None) -> str:
    return f"{start.year}–{end.year if end else 'now'}"


def job_view(job: Job) -> dict[str, Any]:
    return {
        "job": f"{job.title} at {job.company_name} (id {job.id})",
        "where": "remote" if job.remote else job.location,
        "level": job.seniority.value,
        "pay": f"{job.salary_currency} {job.salary_min:,}–{job.salary_max:,}",
        "requires": ", ".join(job.required_skills),
        "nice": ", ".join(job.nice_to_have_skills),
    }


def member_view(member: Member) -> dict[str, Any]:
    return {
        "member": f"{member.first_name} {member.last_name}: {member.headline}",
        "where": member.location,
        "career": [
            f"{p.title} @ {p.company_name} {_years(p.start_date, p.end_date)}"
            for p in member.positions
        ],
        "education": [f"{e.degree} {e.field_of_study}, {e.school}" for e in member.education],
        "skills": ", ".join(member.skills),
    }


def company_view(company: Company) -> dict[str, Any]:
    return {
        "company": f"{company.name} (id {company.id})",
        "industry": company.industry,
        "size": f"{company.size_band} employees",
        "hq": company.headquarters,
        "offices": ", ".join(company.locations),
        "focus": ", ".join(company.specialties),
        "about": _clip(company.description, 240),
    }


def post_view(post: Post, body_chars: int = 1200) -> dict[str, Any]:
    return {
        "post": f"{post.title} (id {post.id}, {post.topic})",
        "by": f"{post.author_name}, {post.author_headline}",
        "reactions": post.reaction_count,
        "body": _clip(post.body, body_chars),
    }


_VIEWS = {Job: job_view, Member: member_view, Company: company_view, Post: post_view}


def view(value: Any) -> Any:
    """The view of any skill output: typed records by their view, pages item by item."""
    if isinstance(value, Page):
        return {"total": value.total, "items": [view(v) for v in value.items]}
    for kind, make in _VIEWS.items():
        if isinstance(value, kind):
            return make(value)
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    return value


def render(value: Any, indent: int = 0) -> str:
    """Compact ``key: value`` lines; lists of scalars become '- ' lines; empty fields vanish."""
    pad = "  " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if item in (None, "", [], {}):
                continue
            if isinstance(item, dict | list):
                lines.append(f"{pad}{key}:")
                lines.append(render(item, indent + 1))
            else:
                lines.append(f"{pad}{key}: {item}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict | list):
                body = render(item, indent + 1).lstrip()
                lines.append(f"{pad}- {body}")
            else:
                lines.append(f"{pad}- {item}")
    else:
        lines.append(f"{pad}{value}")
    return "\n".join(lines)
