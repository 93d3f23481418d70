"""Template-based text for the sample network: shared helpers, companies and jobs.

Every builder takes the caller's ``random.Random`` so that text is as reproducible as the rest
of the network. Retrieval, routing and agents are judged on this text, so each builder mixes
several structures and phrasings rather than filling one template. Profiles are in
``text_profiles``, posts in ``text_posts``.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from careerpilot.network.schemas import Seniority
from careerpilot.network.taxonomy import Industry, JobFamily

__all__ = [
    "JobText",
    "article",
    "bare",
    "capitalize",
    "company_description",
    "fill",
    "job_description",
    "join_words",
    "money",
    "past_tense",
    "with_article",
    "years_phrase",
]

_IRREGULAR = {
    "build": "built",
    "break": "broke",
    "run": "ran",
    "write": "wrote",
    "say": "said",
    "make": "made",
    "lead": "led",
    "plan": "planned",
    "bring": "brought",
    "keep": "kept",
    "take": "took",
    "teach": "taught",
    "grow": "grew",
    "map": "mapped",
    "drive": "drove",
    "spot": "spotted",
    "ship": "shipped",
    "precept": "precepted",
}
# Acronyms read with a vowel sound ("an HR partner", "an SEO specialist").
_VOWEL_SOUND_LETTERS = set("AEFHILMNORSX")


def article(phrase: str) -> str:
    word = phrase.split(" ", 1)[0]
    if word.isupper() and len(word) > 1 and "&" not in word[:1]:
        return "an" if word[0] in _VOWEL_SOUND_LETTERS else "a"
    if word[:2] in ("UX", "UI") or word.lower().startswith(
        ("uni", "use", "usa", "usu", "uti", "eu", "one")
    ):
        return "a"
    return "an" if word[:1].lower() in "aeiou" else "a"


def with_article(phrase: str) -> str:
    return f"{article(phrase)} {phrase}"


def capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


def _past_word(word: str) -> str:
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith("e"):
        return word + "d"
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "o", "u"):
        return word[:-1] + "ied"
    return word + "ed"


def past_tense(phrase: str) -> str:
    """Put the leading verb (or verbs: "design and build", "assess, plan and deliver") in
    the past tense; responsibilities in the taxonomy are written to make this enough."""
    words = phrase.split(" ")
    i = 0
    while i < len(words):
        stem = words[i].rstrip(",")
        words[i] = _past_word(stem) + ("," if words[i].endswith(",") else "")
        if words[i].endswith(","):
            i += 1
        elif i + 2 < len(words) and words[i + 1] in ("and", "or"):
            i += 2
        else:
            break
    return " ".join(words)


def join_words(items: Sequence[str], conjunction: str = "and") -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def money(amount: int) -> str:
    return f"${amount:,}"


def years_phrase(seniority: Seniority) -> str:
    """The experience a level asks for, exactly as job descriptions state it: "5-9 years"."""
    low, high = seniority.years_range
    return f"{low}+ years" if high is None else f"{low}-{high} years"


def bare(thing: str) -> str:
    """Without its leading article: "a payments API" -> "payments API"."""
    return re.sub(r"^(a|an|the) ", "", thing)


def fill(rng: random.Random, templates: Sequence[str], **slots: str) -> str:
    """One of ``templates``, chosen by ``rng``, with its slots filled."""
    return rng.choice(templates).format(**slots)


# --- companies --------------------------------------------------------------------------

_SIZE_WORDS = ((50, "small"), (500, "growing"), (5000, "established"), (10**9, "global"))
_MISSIONS = (
    "We believe good {thing} should be simple, fair and available to everyone.",
    "Our mission is to make {thing} work better for the people who depend on it.",
    "We care about craft, candor and long-term relationships with {customers}.",
    "We measure ourselves by the outcomes of {customers}, not by the features we ship.",
    "We are a team of builders who like hard problems and plain language.",
    "We grow carefully, stay profitable and invest in the people who do the work.",
)


def company_description(
    rng: random.Random,
    *,
    name: str,
    industry: Industry,
    specialties: Sequence[str],
    founded_year: int,
    headquarters: str,
    employee_count: int,
    locations: Sequence[str],
) -> str:
    offering = rng.choice(industry.offerings)
    customers = rng.choice(industry.customers)
    size = next(word for limit, word in _SIZE_WORDS if employee_count < limit)
    opening = fill(
        rng,
        (
            "{name} provides {offering} to {customers}.",
            "Founded in {year} and headquartered in {hq}, {name} delivers {offering} to "
            "{customers}.",
            "{name} is {a_size} company in {industry} focused on {offering}.",
            "Since {year}, {name} has helped {customers} with {offering}.",
            "At {name}, we build {offering} for {customers}.",
        ),
        name=name,
        offering=offering,
        customers=customers,
        year=str(founded_year),
        hq=headquarters,
        a_size=with_article(size),
        industry=industry.name.lower(),
    )
    others = [loc for loc in locations if loc != headquarters]
    if others:
        footprint = (
            f"Around {employee_count:,} people work with us from {headquarters} and "
            f"{join_words([loc.split(',')[0] for loc in others])}."
        )
    else:
        footprint = f"Our {employee_count:,} employees are based in {headquarters}."
    focus = fill(
        rng,
        (
            "Our specialties include {s}.",
            "We focus on {s}.",
            "Areas of expertise: {s}.",
            "Customers come to us for {s}.",
        ),
        s=join_words(list(specialties)),
    )
    mission = rng.choice(_MISSIONS).format(thing=bare(offering), customers=customers)
    middle = [footprint, focus]
    rng.shuffle(middle)
    parts = [opening, *middle, mission]
    if "Founded" not in opening and "Since" not in opening:
        parts.insert(1, f"The company was founded in {founded_year}.")
    return " ".join(parts)


# --- jobs -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JobText:
    """Everything a job description states; the generator fills it from the Job it builds."""

    title: str
    family: JobFamily
    company_name: str
    industry: Industry
    location: str
    remote: bool
    seniority: Seniority
    employment_type: str
    salary_min: int
    salary_max: int
    required: tuple[str, ...]
    nice: tuple[str, ...]


_LEVEL_WORD = {
    Seniority.ENTRY: "entry-level",
    Seniority.MID: "mid-level",
    Seniority.SENIOR: "senior",
    Seniority.LEAD: "lead",
    Seniority.PRINCIPAL: "principal",
}
_EMPLOYMENT = {
    "full_time": ("full-time", "permanent, full-time"),
    "part_time": ("part-time", "part-time (about 24 hours a week)"),
    "contract": ("contract", "12-month contract, with the option to extend"),
    "internship": ("internship", "paid internship of 12 weeks"),
}
_BENEFITS = (
    "medical, dental and vision coverage",
    "a 401(k) with a 4% match",
    "16 weeks of paid parental leave",
    "a yearly learning budget of $2,000",
    "flexible hours",
    "25 days of paid time off",
    "a home-office stipend",
    "equity in a growing company",
    "tuition reimbursement",
    "wellness days every quarter",
    "commuter benefits",
    "a sabbatical after five years",
)
_REQ_LINES = (
    "Solid, hands-on experience with {s}",
    "You are comfortable with {s}",
    "Proven work using {s} in production",
    "Strong {s} skills",
    "Experience with {s}",
    "Practical knowledge of {s}",
)
_HEADINGS = {
    "about": ("About the role", "The role", "What this job is", "Why this role matters"),
    "do": (
        "What you'll do",
        "Responsibilities",
        "Your impact",
        "In this role you will",
        "Day to day",
    ),
    "need": ("What you bring", "Requirements", "You have", "Must-haves", "Qualifications"),
    "nice": ("Nice to have", "Bonus points", "Even better if you have", "Preferred skills"),
    "pay": ("Compensation and benefits", "Pay and perks", "What we offer", "The package"),
    "company": ("About {company}", "Who we are", "Life at {company}", "Our company"),
}


def _place(rng: random.Random, spec: JobText) -> str:
    if spec.remote:
        country = spec.location.rsplit(", ", 1)[-1]
        if country.startswith("United") or country == "Netherlands":
            country = "the " + country
        return fill(
            rng,
            (
                "This role is fully remote; the team gathers in {loc} twice a year.",
                "Remote: you can work from anywhere in {country}, with our hub in {loc} if you "
                "want a desk.",
                "We are a remote-friendly team. This position is remote, anchored to our {loc} "
                "office.",
            ),
            loc=spec.location,
            country=country,
        )
    return fill(
        rng,
        (
            "This role is based in {loc}, on site.",
            "Location: {loc} (hybrid, three days a week in the office).",
            "You will work from our {loc} office; this is not a remote role.",
            "Hybrid in {loc}: two or three days a week together, the rest from home.",
        ),
        loc=spec.location,
    )


def _level(rng: random.Random, spec: JobText) -> str:
    return fill(
        rng,
        (
            "This is {a_level} position; we expect {years} of experience in {field}.",
            "Level: {level}. You likely have {years} of relevant experience in {field}.",
            "We are hiring at the {level} level, typically {years} of hands-on {field} work.",
            "You bring {years} of experience in {field} - this is {a_level} role.",
        ),
        level=_LEVEL_WORD[spec.seniority],
        a_level=with_article(_LEVEL_WORD[spec.seniority]),
        years=years_phrase(spec.seniority),
        field=spec.family.field,
    )


def _pay(rng: random.Random, spec: JobText) -> str:
    low, high = money(spec.salary_min), money(spec.salary_max)
    kind = _EMPLOYMENT[spec.employment_type][rng.randrange(2)]
    return fill(
        rng,
        (
            "The base salary range is {low} - {high} USD per year. This is {a_kind} position.",
            "Salary: {low} to {high} a year, depending on experience ({kind}).",
            "We pay {low}-{high} in base salary for this {kind} role.",
            "Pay range: {low} - {high} annually. Employment type: {kind}.",
        ),
        low=low,
        high=high,
        kind=kind,
        a_kind=with_article(kind),
    )


def _intro(rng: random.Random, spec: JobText) -> str:
    offering = rng.choice(spec.industry.offerings)
    return fill(
        rng,
        (
            "{company} is hiring {a_title} to help us build {offering}.",
            "We are looking for {a_title} to join {company}.",
            "Join {company} as {a_title} and work on {offering} for {customers}.",
            "{company} builds {offering}. We need {a_title} who cares about {metric}.",
            "As {a_title} at {company}, you will shape how we deliver {offering}.",
        ),
        company=spec.company_name,
        a_title=with_article(spec.title),
        offering=offering,
        customers=rng.choice(spec.industry.customers),
        metric=rng.choice(spec.family.metrics),
    )


def _skill_bullets(rng: random.Random, skills: Sequence[str]) -> list[str]:
    lines = []
    for skill in skills:
        lines.append("- " + rng.choice(_REQ_LINES).format(s=skill))
    return lines


def job_description(rng: random.Random, spec: JobText) -> str:
    """A posting that states the title, company, place, level, years, pay and every skill."""
    duties = rng.sample(spec.family.responsibilities, k=rng.randint(3, 5))
    soft = rng.choice(spec.family.soft_skills).lower()
    benefits = rng.sample(_BENEFITS, k=rng.randint(3, 5))
    heading = {k: rng.choice(v).format(company=spec.company_name) for k, v in _HEADINGS.items()}
    company_blurb = fill(
        rng,
        (
            "{company} works in {industry} and serves {customers}.",
            "{company} is {a_industry} company; our customers are {customers}.",
            "We are {company}, and we serve {customers} in {industry}.",
        ),
        company=spec.company_name,
        industry=spec.industry.name.lower(),
        a_industry=with_article(spec.industry.name.lower()),
        customers=rng.choice(spec.industry.customers),
    )
    style = rng.randrange(4)
    if style == 0:  # headed sections with bullets
        parts = [
            f"{spec.title} - {spec.company_name}",
            f"{heading['about']}\n{_intro(rng, spec)} {_place(rng, spec)} {_level(rng, spec)}",
            f"{heading['do']}\n" + "\n".join(f"- {capitalize(d)}" for d in duties),
            f"{heading['need']}\n"
            + "\n".join(_skill_bullets(rng, spec.required))
            + f"\n- {capitalize(soft)} that colleagues notice",
            f"{heading['nice']}\n" + "\n".join(f"- {s}" for s in spec.nice),
            f"{heading['pay']}\n{_pay(rng, spec)} Benefits include {join_words(benefits)}.",
        ]
    elif style == 1:  # prose only
        parts = [
            f"{_intro(rng, spec)} {company_blurb}",
            f"In this role you will {join_words(duties)}. {_level(rng, spec)}",
            f"To succeed, you need {join_words(list(spec.required))}, plus a reputation for "
            f"{soft}. It is a plus if you also know {join_words(list(spec.nice), 'or')}.",
            f"{_place(rng, spec)} {_pay(rng, spec)} We also offer {join_words(benefits)}.",
        ]
    elif style == 2:  # key facts first
        facts = [
            f"Title: {spec.title}",
            f"Company: {spec.company_name}",
            f"Location: {spec.location}" + (" (remote)" if spec.remote else ""),
            f"Seniority: {_LEVEL_WORD[spec.seniority]} ({years_phrase(spec.seniority)})",
            f"Salary: {money(spec.salary_min)} - {money(spec.salary_max)} USD",
        ]
        parts = [
            "\n".join(facts),
            f"{_intro(rng, spec)} {_place(rng, spec)}",
            f"{heading['do']}:\n" + "\n".join(f"- {capitalize(d)}" for d in duties),
            f"{heading['need']}: {join_words(list(spec.required))}. {_level(rng, spec)}",
            f"{heading['nice']}: {join_words(list(spec.nice))}.",
            f"{_pay(rng, spec)} Perks: {join_words(benefits)}.",
        ]
    else:  # company first, then the role
        parts = [
            f"{heading['company']}\n{company_blurb} {_intro(rng, spec)}",
            f"The {spec.title} role\n{_level(rng, spec)} You will {duties[0]}, and you "
            f"will also {join_words(duties[1:])}.",
            f"{heading['need']}\n" + "\n".join(_skill_bullets(rng, spec.required)),
            f"{heading['nice']}\n" + ", ".join(spec.nice) + ".",
            f"{_place(rng, spec)}\n{_pay(rng, spec)} You also get {join_words(benefits)}.",
        ]
    closing = rng.choice(
        (
            f"{spec.company_name} is an equal opportunity employer.",
            "We welcome applicants of every background, and we read every application.",
            "Not sure you tick every box? Apply anyway; we hire for potential.",
            "Apply with your résumé; a short note about why this role is optional but welcome.",
            "Our process: a recruiter call, a practical exercise and a conversation with the team.",
        )
    )
    parts.append(closing)
    return "\n\n".join(parts)
