"""Posts in a first-person LinkedIn voice, on one topic each, built from the topic's phrases.

A post is 3-5 paragraphs separated by blank lines: an opening (a topic hook or a generic one,
plus some context about the author), one to three middle paragraphs (an insight with an
anecdote or a number, sometimes a short list), and a closing question. Slots in the topic
phrases are filled from the author's real profile, so posts agree with who wrote them.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from careerpilot.network.taxonomy import JobFamily, PostTopic
from careerpilot.network.text import bare, capitalize, with_article

__all__ = ["PostContext", "post_body", "post_title"]

_ORDINALS = (
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
)


@dataclass(frozen=True, slots=True)
class PostContext:
    """What a post may say about its author."""

    topic: PostTopic
    family: JobFamily
    title: str
    company: str | None  # current employer, or the most recent one
    skills: Sequence[str]
    city: str
    years: int
    tenure: int  # whole years at the current employer, at least 1


_GENERIC_HOOKS = (
    "Unpopular opinion: {point}",
    "A lesson I learned the hard way: {point}",
    "I have changed my mind about {topic} over the last {months} months.",
    "Someone asked me how I think about {topic} as {title_a}, so here is my honest answer.",
    "Quick thought on {topic} after a long week at {company}.",
    "{n} things I wish I had known about {topic} {years} years ago.",
    "Hot take after {years} years in {field}: {point}",
    "I keep coming back to one idea about {topic}: {point}",
    "Here is something about {topic} that nobody told me when I started as {title_a}.",
    "A coffee chat in {city} this week was all about {topic}, and we ran out of time.",
)

# Openers that tie the post to its author; the topic hook follows as the second sentence.
_PERSONAL_OPENERS = (
    "After {years} years in {field}, {topic} is still what people ask me about most.",
    "As {title_a} at {company}, I think about {topic} more than I expected to.",
    "{years} years into my career, most recently as {title_a}, here is where I have landed "
    "on {topic}.",
    "Writing this from {city}, where {topic} has come up in every coffee chat this month.",
    "{Practitioners} in {city} keep asking me about {topic}, so here is a longer answer.",
    "This one is about {topic}, written after {years} years of {field} and a lot of notes.",
    "I have been {title_a} for a while, and {topic} keeps coming up in my one-on-ones.",
    "Every {nth} conversation I have at {company} seems to turn to {topic}.",
)

_LEAD_INS = (
    "Real talk:",
    "Confession:",
    "Story time:",
    "Honest reflection:",
    "Monday thought:",
    "Friday reflection:",
    "Something I keep chewing on:",
    "Quick one today:",
    "A note to my younger self:",
    "Long post, but stay with me:",
)

_CONTEXT = (
    "For context, I work as {title_a} at {company}, mostly with {skill} and {skill2}.",
    "Some background: {years} years in {field}, the last stretch at {company}.",
    "I have been thinking about this since a conversation with a colleague on Friday.",
    "It took me a while to put this into words.",
    "This will be longer than my usual posts.",
    "A quick story first.",
    "Here is what happened, and what I would do differently.",
    "I do not usually post about this, but a few people asked.",
    "As {title_a} in {city}, I see this play out every week.",
    "It started with a question from someone on my team.",
    "I wrote this on the train home, so bear with me.",
    "Sharing in case it helps someone in {field}.",
)

_ELABORATIONS = (
    "We saw it in {metric}: a {pct2}% improvement in {months} months.",
    "I learned this the hard way while working on our {artifact_bare}.",
    "It sounds obvious. It was not obvious to me {years} years ago.",
    "When I asked around, {pct2}% of the {practitioners} I know said the same.",
    "In practice, this is less about {skill} and more about habits.",
    "One example: our work on {artifact_bare} only went well once we took this seriously.",
    "I have now seen this at {n2} different teams.",
    "This is the part most advice skips.",
    "A manager of mine once put it better: do the simple thing, and do it consistently.",
    "It cost us {weeks2} weeks to learn that.",
    "Even in {field}, where everything feels urgent, it holds.",
    "If you only take one thing from this post, take this one.",
    "The numbers surprised me: {big2} conversations, {n2} patterns, one clear conclusion.",
    "My notes from the last {months} months say the same thing again and again.",
    "It changed how I approach {skill2}, too.",
    "Last quarter we tracked it for {weeks} weeks, and the trend was hard to argue with.",
)

_LIST_INTROS = (
    "What worked for me:",
    "{k} things I would recommend:",
    "My checklist now:",
    "If you are just starting out:",
    "Here is what we changed:",
    "The short version:",
    "What I would do again:",
)

_SIGN_OFFS = (
    "Thanks for reading.",
    "Curious to hear your take.",
    "Comments are open, as always.",
    "I will share an update in a few months.",
    "Grateful for everyone who helped along the way.",
    "Let's keep the conversation going.",
    "",
    "",
)

_ONE = re.compile(r"\b1 (year|month|week)s\b")

_GENERIC_TITLES = (
    "{n} lessons on {topic} from {years} years in {field}",
    "What {company} taught me about {topic}",
    "{Topic}: notes from {title_a} in {city}",
    "{Topic} in {city}: my honest take",
    "My take on {topic}",
    "A few thoughts on {topic}",
    "{Topic}: what I learned",
    "What {years} years taught me about {topic}",
    "Notes on {topic}",
)


def _soften(sentence: str) -> str:
    """Lower-case a sentence's first letter so it can follow a colon, unless it is "I" or an
    acronym ("AI output ...")."""
    if sentence[:2] == "I " or sentence[1:2].isupper():
        return sentence
    return sentence[:1].lower() + sentence[1:]


def _fmt(template: str, slots: dict[str, str]) -> str:
    # Slots hold bare numbers; "1 years" is the one plural the templates cannot avoid.
    return _ONE.sub(r"1 \1", template.format(**slots))


def _slots(rng: random.Random, ctx: PostContext) -> dict[str, str]:
    skills = list(ctx.skills) or ["communication"]
    skill = rng.choice(skills)
    others = [s for s in skills if s != skill] or [skill]
    artifact = rng.choice(ctx.family.artifacts)
    return {
        "title": ctx.title,
        "title_a": with_article(ctx.title),
        "company": ctx.company or "my last company",
        "field": ctx.family.field,
        "practitioners": ctx.family.practitioners,
        "skill": skill,
        "skill2": rng.choice(others),
        "artifact": artifact,
        "artifact_bare": bare(artifact),
        "metric": rng.choice(ctx.family.metrics),
        "years": str(max(ctx.years, 1)),
        "tenure": str(max(ctx.tenure, 1)),
        "n": str(rng.randint(2, 9)),
        "n2": str(rng.randint(2, 9)),
        "nth": rng.choice(_ORDINALS),
        "big": str(rng.randrange(40, 2400, 10)),
        "big2": str(rng.randrange(40, 2400, 10)),
        "pct": str(rng.randint(12, 68)),
        "pct2": str(rng.randint(12, 68)),
        "weeks": str(rng.randint(3, 16)),
        "weeks2": str(rng.randint(3, 16)),
        "months": str(rng.randint(2, 18)),
        "city": ctx.city,
        "topic": ctx.topic.name,
        "Topic": capitalize(ctx.topic.name),
        "Practitioners": capitalize(ctx.family.practitioners),
    }


def post_title(rng: random.Random, ctx: PostContext) -> str:
    slots = _slots(rng, ctx)
    pool = ctx.topic.titles if rng.random() < 0.6 else _GENERIC_TITLES
    return capitalize(_fmt(rng.choice(pool), slots))


def post_body(rng: random.Random, ctx: PostContext) -> str:
    """3-5 paragraphs separated by blank lines; a list paragraph uses single newlines."""
    topic = ctx.topic
    slots = _slots(rng, ctx)
    points = [_fmt(p, slots) for p in rng.sample(topic.points, k=min(len(topic.points), 4))]

    template = rng.choice(topic.hooks)
    hook = _fmt(template, slots)
    personal = _fmt(rng.choice(_PERSONAL_OPENERS), slots)
    roll = rng.random()
    if roll < 0.25:
        hook = f"{personal} {hook}"
    elif roll < 0.5:
        # A generic hook that quotes an insight would repeat it below; drop it from the pool.
        hook = _fmt(rng.choice(_GENERIC_HOOKS), {**slots, "point": _soften(points[-1])})
        if points[-1] in hook:
            points.pop()
    elif "{" not in template or rng.random() < 0.2:
        # Hooks without slots would repeat word for word across thousands of posts: dress them.
        lead_in = f"{rng.choice(_LEAD_INS)} {_soften(hook)}"
        hook = lead_in if rng.random() < 0.5 else f"{personal} {hook}"
    context = rng.sample(_CONTEXT, k=rng.randint(0, 2))
    opening = " ".join([hook, *(_fmt(c, slots) for c in context)])

    paragraphs = [opening]
    middles = rng.randint(1, 3)
    list_at = rng.randrange(middles) if rng.random() < 0.4 else -1
    for i in range(middles):
        if i == list_at:
            items = rng.sample(topic.list_items, k=rng.randint(3, min(5, len(topic.list_items))))
            intro = rng.choice(_LIST_INTROS).format(k=len(items))
            numbered = rng.random() < 0.4
            lines = [
                f"{j}. {capitalize(_fmt(item, slots))}"
                if numbered
                else f"- {capitalize(_fmt(item, slots))}"
                for j, item in enumerate(items, 1)
            ]
            paragraphs.append("\n".join([intro, *lines]))
            continue
        point = points[i % len(points)]
        extra = rng.sample(_ELABORATIONS, k=rng.randint(1, 2))
        sentences = [point, *(_fmt(e, slots) for e in extra)]
        if rng.random() < 0.3:
            sentences.reverse()
        paragraphs.append(" ".join(sentences))

    closing = [_fmt(rng.choice(topic.questions), slots)]
    sign_off = rng.choice(_SIGN_OFFS)
    if sign_off:
        closing.insert(0 if rng.random() < 0.5 else 1, sign_off)
    text = " ".join(closing)
    if rng.random() < 0.5:
        tags = rng.sample(topic.hashtags, k=rng.randint(1, len(topic.hashtags)))
        text += "\n" + " ".join(tags)
    paragraphs.append(text)
    return "\n\n".join(paragraphs)
