"""Profile text: member headlines and summaries, and what each position involved.

Written in the first person, from the member's real history, so that profiles agree with
the positions, skills and employers the generator gave them.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from careerpilot.network.taxonomy import JobFamily
from careerpilot.network.text import bare, capitalize, fill, join_words, past_tense, with_article

__all__ = ["member_headline", "member_summary", "position_description"]

_HOBBIES = (
    "run half marathons",
    "coach a youth soccer team",
    "bake sourdough",
    "volunteer at a local food bank",
    "hike with my dog",
    "play jazz piano",
    "read science fiction",
    "restore old bicycles",
    "mentor students",
    "climb",
    "grow tomatoes on a tiny balcony",
    "play chess online",
    "take film photographs",
    "learn Spanish",
)


def member_headline(
    rng: random.Random,
    *,
    title: str,
    company_name: str | None,
    family: JobFamily,
    skills: Sequence[str],
    open_to_work: bool,
) -> str:
    """Always names ``title``; says "open to ..." for members who are looking."""
    top = list(skills[:3])
    if open_to_work:
        return fill(
            rng,
            (
                "{title} | Open to work | {s1} · {s2}",
                "{title} - open to new opportunities in {field}",
                "Open to {field} roles | {title} | {s1}, {s2}, {s3}",
                "{title} open to work · {s1} · {s2} · {s3}",
            ),
            title=title,
            field=family.field,
            s1=top[0],
            s2=top[1],
            s3=top[2],
        )
    return fill(
        rng,
        (
            "{title} at {company}",
            "{title} at {company} | {s1} · {s2} · {s3}",
            "{title} @ {company} - {s1} and {s2}",
            "{title} | {label} | {s1}, {s2}",
            "{title} at {company} · obsessed with {metric}",
            "{label} · {title} at {company}",
        ),
        title=title,
        company=company_name or "",
        label=family.label,
        s1=top[0],
        s2=top[1],
        s3=top[2],
        metric=rng.choice(family.metrics),
    )


def member_summary(
    rng: random.Random,
    *,
    title: str,
    family: JobFamily,
    years: int,
    skills: Sequence[str],
    current_company: str | None,
    previous_company: str | None,
    previous_family: JobFamily | None,
    city: str,
    open_to_work: bool,
) -> str:
    """A first-person 'About' section: 3-6 sentences built from the member's real history."""
    span = "less than a year" if years < 1 else "one year" if years == 1 else f"{years} years"
    sentences = [
        fill(
            rng,
            (
                "I am {a_title} with {span} of experience in {field}.",
                "{Span} into {field}, I still love the work.",
                "I have spent {span} in {field}, most recently as {a_title}.",
                "{A_title} who likes {metric} going in the right direction.",
                "I work in {field}, and I have done so for {span}.",
            ),
            a_title=with_article(title),
            A_title=capitalize(with_article(title)),
            span=span,
            Span=capitalize(span),
            field=family.field,
            metric=rng.choice(family.metrics),
        )
    ]
    if current_company:
        duty = rng.choice(family.responsibilities)
        sentences.append(
            rng.choice(
                (
                    f"At {current_company}, I {duty}.",
                    f"These days I {duty} at {current_company}.",
                    f"My current focus at {current_company}: I {duty}.",
                )
            )
        )
    if previous_company:
        artifact = rng.choice((previous_family or family).artifacts)
        sentences.append(
            rng.choice(
                (
                    f"Before that, at {previous_company}, I helped deliver {artifact}.",
                    f"Earlier, at {previous_company}, I worked on {artifact}.",
                    f"Previously I was at {previous_company}, where I was part of the team behind "
                    f"the {bare(artifact)}.",
                )
            )
        )
    if previous_family is not None and previous_family.key != family.key:
        sentences.append(
            rng.choice(
                (
                    f"I moved into {family.field} from {previous_family.field}, and that "
                    "background still shapes how I work.",
                    f"My path was not linear: I started in {previous_family.field} before "
                    f"switching to {family.field}.",
                )
            )
        )
    picked = list(skills[: rng.randint(3, 5)])
    sentences.append(
        rng.choice(
            (
                f"My toolkit: {join_words(picked)}.",
                f"I work mostly with {join_words(picked)}.",
                f"Skills I use every week: {join_words(picked)}.",
            )
        )
    )
    if open_to_work:
        sentences.append(
            rng.choice(
                (
                    f"I am open to new {family.field} roles in {city} or remote.",
                    "I am currently looking for my next role; messages are welcome.",
                    f"Open to work: if your team needs {family.practitioners}, let's talk.",
                )
            )
        )
    elif rng.random() < 0.6:
        sentences.append(f"Outside work I {rng.choice(_HOBBIES)}.")
    return " ".join(sentences)


def position_description(
    rng: random.Random, *, family: JobFamily, company_name: str, current: bool
) -> str:
    """What a member did in one position: present tense while current, past tense after."""
    duties = rng.sample(family.responsibilities, k=2)
    artifact = rng.choice(family.artifacts)
    metric = rng.choice(family.metrics)
    pct = rng.randrange(10, 65, 5)
    if current:
        return fill(
            rng,
            (
                "I {d0} and {d1}.",
                "{D0}. {D1}.",
                "At {company} I {d0}. Currently working on {artifact}.",
                "I {d0}; so far that has meant a {pct}% improvement in {metric}.",
            ),
            d0=duties[0],
            d1=duties[1],
            D0=capitalize(duties[0]),
            D1=capitalize(duties[1]),
            company=company_name,
            artifact=artifact,
            metric=metric,
            pct=str(pct),
        )
    p0, p1 = capitalize(past_tense(duties[0])), past_tense(duties[1])
    return fill(
        rng,
        (
            "{P0}, and {p1}.",
            "{P0}. Delivered {artifact}, with a {pct}% improvement in {metric}.",
            "{P0}. Key result: a {pct}% improvement in {metric}.",
            "Helped deliver {artifact}. {P0}.",
            "{P0}; {p1}.",
        ),
        P0=p0,
        p1=p1,
        artifact=artifact,
        metric=metric,
        pct=str(pct),
    )
