"""A generated corpus of model-style replies with the values they intend (for the benchmark).

Every case belongs to one class: a recoverable quirk (the intended value is known) or a
must-refuse case (``expected`` is None: returning anything is a silent wrong answer).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pydantic import BaseModel

from careerpilot.parsing.examples import JobFilter, Plan, Seniority, Step

__all__ = ["REFUSE_CLASSES", "Case", "generate", "plan_of_size", "plan_yaml"]

SKILLS = ["python", "rust", "go", "sql", "kubernetes", "react", "java", "c++", "terraform", "aws"]
CITIES = ["Berlin", "Paris", "New York", "Remote EU", "São Paulo", "Tokyo", "Lagos"]
TITLES = ["Backend engineer", "Data scientist", "Platform lead", "ML engineer", "SRE"]
TRICKY = ["NO", "ON", "off", "Yes", "1.10", "0755", "1e3", "12:30", "True"]
PROSE_BEFORE = [
    "Sure! Here is the filter (note: [draft] {v2}):",
    "Based on your question: I'd use these settings.",
    "OK. Plan below - see [1] for details:",
]
PROSE_AFTER = ["Let me know: does this work? [y/n]", "Hope this helps! {cheers}", "Note: adjust."]


@dataclass(frozen=True, slots=True)
class Case:
    cls: str
    text: str
    schema: type[BaseModel]
    expected: BaseModel | None  # None: the parser must refuse


def _filter(rng: random.Random, **update: object) -> JobFilter:
    base = JobFilter(
        min_salary=rng.randrange(30, 300) * 1000,
        remote=rng.random() < 0.5,
        seniority=rng.choice(list(Seniority)),
        skills=rng.sample(SKILLS, rng.randint(1, 4)),
        location=rng.choice([*CITIES, None]),
        title=rng.choice(TITLES),
    )
    return base.model_copy(update=update)


def _render(f: JobFilter, **over: str) -> str:
    """YAML for ``f``; ``over`` replaces one field's rendered text (``""`` drops the line)."""
    parts = {
        "min_salary": f"min_salary: {f.min_salary}",
        "remote": f"remote: {'true' if f.remote else 'false'}",
        "seniority": f"seniority: {f.seniority.value}",
        "skills": "skills:\n" + "\n".join(f"  - {s}" for s in f.skills),
        "location": f"location: {f.location if f.location is not None else 'null'}",
        "title": f"title: {f.title}",
    }
    parts.update(over)
    return "\n".join(p for p in parts.values() if p) + "\n"


def _json(f: JobFilter, rng: random.Random) -> str:
    return f.model_dump_json(indent=rng.choice([None, 2]))


def _plan(rng: random.Random, steps: int | None = None) -> Plan:
    out = []
    for _ in range(steps if steps is not None else rng.randint(1, 4)):
        args: dict[str, object] = {"query": f"{rng.choice(TITLES)} in {rng.choice(CITIES)}"}
        if rng.random() < 0.5:
            args["limit"] = rng.randint(1, 50)
        if rng.random() < 0.3:
            args["tags"] = rng.sample(SKILLS, 2)
        out.append(Step(skill=rng.choice(["search_jobs", "rank", "summarize"]), args=args))
    return Plan(thought=f"Find {rng.choice(TITLES)} roles: then rank them", steps=out)


def plan_yaml(p: Plan) -> str:
    lines = [f"thought: {p.thought}", "steps:"]
    for step in p.steps:
        lines.append(f"  - skill: {step.skill}")
        lines.append("    args:")
        for key, value in step.args.items():
            shown = "[" + ", ".join(value) + "]" if isinstance(value, list) else value
            lines.append(f"      {key}: {shown}")
    return "\n".join(lines) + "\n"


def plan_of_size(size: int, seed: int = 7) -> Plan:
    """A plan whose YAML is about ``size`` characters (for the streaming benchmark)."""
    rng = random.Random(seed)
    plan = _plan(rng, 1)
    while len(plan_yaml(plan)) < size:
        plan = Plan(thought=plan.thought, steps=[*plan.steps, *_plan(rng, 1).steps])
    return plan


Gen = Callable[[random.Random], tuple[str, type[BaseModel], BaseModel | None]]


def _g_plain(r: random.Random) -> tuple[str, type[BaseModel], BaseModel | None]:
    f = _filter(r)
    return _render(f), JobFilter, f


def _g_fence(r: random.Random) -> tuple[str, type[BaseModel], BaseModel | None]:
    f = _filter(r)
    return f"```{r.choice(['yaml', 'yml', ''])}\n{_render(f)}```\n", JobFilter, f


def _g_prose(r: random.Random) -> tuple[str, type[BaseModel], BaseModel | None]:
    f = _filter(r)
    return f"{r.choice(PROSE_BEFORE)}\n\n{_render(f)}\n{r.choice(PROSE_AFTER)}", JobFilter, f


def _g_colon(r: random.Random) -> tuple[str, type[BaseModel], BaseModel | None]:
    f = _filter(r, title=f"{r.choice(TITLES)}: {r.choice(['team: platform', 'urgent', 'Q3'])}")
    return _render(f), JobFilter, f


def _g_hash(r: random.Random) -> tuple[str, type[BaseModel], BaseModel | None]:
    f = _filter(r, title=r.choice(["C #1 team", "#hiring now", "Team #3 lead", "C# dev"]))
    return _render(f), JobFilter, f


def _g_comment(r: random.Random) -> tuple[str, type[BaseModel], BaseModel | None]:
    f = _filter(r)
    c = r.choice(["  # yearly", " # gross", "\t# note"])
    return _render(f, min_salary=f"min_salary: {f.min_salary}{c}"), JobFilter, f


def _g_tabs(r: random.Random) -> tuple[str, type[BaseModel], BaseModel | None]:
    f = _filter(r)
    return (
        _render(f, skills="skills:\n" + "".join(f"\t- {s}\n" for s in f.skills)[:-1]),
        JobFilter,
        f,
    )


def _g_indent(r: random.Random) -> tuple[str, type[BaseModel], BaseModel | None]:
    f = _filter(r)
    items = "\n".join(" " * r.choice([0, 1, 2, 3, 4]) + f"- {s}" for s in f.skills)
    return _render(f, skills="skills:\n" + items), JobFilter, f


def _g_yaml11(r: random.Random) -> tuple[str, type[BaseModel], BaseModel | None]:
    f = _filter(r, title=r.choice(TRICKY), location=r.choice(TRICKY))
    return _render(f), JobFilter, f


def _g_python(r: random.Random) -> tuple[str, type[BaseModel], BaseModel | None]:
    f = _filter(r, location=None)
    return _render(f, remote=f"remote: {f.remote}", location="location: None"), JobFilter, f


def _g_quotes(r: random.Random) -> tuple[str, type[BaseModel], BaseModel | None]:
    f = _filter(r, title=f'The "{r.choice(["best", "real"])}" {r.choice(TITLES)} job')
    return _render(f, title=f'title: "{f.title}"'), JobFilter, f


def _g_keys(r: random.Random) -> tuple[str, type[BaseModel], BaseModel | None]:
    f = _filter(r)
    key = r.choice(["Min Salary", "minSalary", "MIN_SALARY", "min-salary", "MinSalary"])
    return _render(f, min_salary=f"{key}: {f.min_salary}"), JobFilter, f


def _g_enum(r: random.Random) -> tuple[str, type[BaseModel], BaseModel | None]:
    f = _filter(r)
    word = f.seniority.value.replace("_", r.choice(["-", " ", "_"]))
    word = r.choice([word.upper(), word.title(), word])
    return _render(f, seniority=f"seniority: {word}"), JobFilter, f


def _g_int_str(r: random.Random) -> tuple[str, type[BaseModel], BaseModel | None]:
    f = _filter(r)
    return _render(f, min_salary=f'min_salary: "{f.min_salary}"'), JobFilter, f


def _g_int_grouped(r: random.Random) -> tuple[str, type[BaseModel], BaseModel | None]:
    f = _filter(r)
    return _render(f, min_salary=f"min_salary: {f.min_salary:,}"), JobFilter, f


def _g_bool(r: random.Random) -> tuple[str, type[BaseModel], BaseModel | None]:
    f = _filter(r)
    word = r.choice(["yes", "on", "Yes", "ON"] if f.remote else ["no", "off", "No", "OFF"])
    return _render(f, remote=f"remote: {word}"), JobFilter, f


def _g_scalar_list(r: random.Random) -> tuple[str, type[BaseModel], BaseModel | None]:
    f = _filter(r, skills=[r.choice(SKILLS)])
    return _render(f, skills=f"skills: {f.skills[0]}"), JobFilter, f


def _g_mapping_list(r: random.Random) -> tuple[str, type[BaseModel], BaseModel | None]:
    p = _plan(r, 1)
    text = plan_yaml(p).replace("  - skill:", "  skill:").replace("\n    ", "\n  ")
    return text, Plan, p


def _g_dashless(r: random.Random) -> tuple[str, type[BaseModel], BaseModel | None]:
    f = _filter(r, skills=r.sample(SKILLS, r.randint(2, 4)))
    return _render(f, skills="skills:\n" + "\n".join(f"  {s}" for s in f.skills)), JobFilter, f


def _g_json(r: random.Random) -> tuple[str, type[BaseModel], BaseModel | None]:
    f = _filter(r)
    return _json(f, r), JobFilter, f


def _g_sloppy_json(r: random.Random) -> tuple[str, type[BaseModel], BaseModel | None]:
    f = _filter(r)
    data = f.model_dump(mode="json")
    return repr(data)[:-1] + ",}", JobFilter, f  # single quotes, None/True, trailing comma


def _g_unknown(r: random.Random) -> tuple[str, type[BaseModel], BaseModel | None]:
    f = _filter(r)
    return _render(f) + "reasoning: because\nmeta:\n  source: db\n", JobFilter, f


def _g_crlf(r: random.Random) -> tuple[str, type[BaseModel], BaseModel | None]:
    f = _filter(r)
    return _render(f).replace("\n", "\r\n"), JobFilter, f


def _g_plan_yaml(r: random.Random) -> tuple[str, type[BaseModel], BaseModel | None]:
    p = _plan(r)
    return plan_yaml(p), Plan, p


def _g_plan_json(r: random.Random) -> tuple[str, type[BaseModel], BaseModel | None]:
    p = _plan(r)
    return f"```json\n{p.model_dump_json(indent=2)}\n```", Plan, p


def _r_enum(r: random.Random) -> tuple[str, type[BaseModel], BaseModel | None]:
    word = r.choice(["guru", "principal", "ninja", "sen", "lead", "mid"])
    return _render(_filter(r), seniority=f"seniority: {word}"), JobFilter, None


def _r_fraction(r: random.Random) -> tuple[str, type[BaseModel], BaseModel | None]:
    value = r.choice(["1234.5", '"99.99"', "1,200.50", "0.5"])
    return _render(_filter(r), min_salary=f"min_salary: {value}"), JobFilter, None


def _r_missing(r: random.Random) -> tuple[str, type[BaseModel], BaseModel | None]:
    drop = r.choice(["min_salary", "remote", "seniority"])
    return _render(_filter(r), **{drop: ""}), JobFilter, None


def _r_prose(r: random.Random) -> tuple[str, type[BaseModel], BaseModel | None]:
    text = r.choice(
        [
            "I'm sorry, I can't help with that.",
            "Note: no results found. Try again: later [or not].",
            "The answer is {unknown}: please rephrase.",
        ]
    )
    return text, JobFilter, None


RECOVER: dict[str, Gen] = {
    name[3:]: gen for name, gen in globals().items() if name.startswith("_g_") and callable(gen)
}
REFUSE: dict[str, Gen] = {
    name[3:]: gen for name, gen in globals().items() if name.startswith("_r_") and callable(gen)
}
REFUSE_CLASSES = frozenset(f"refuse_{name}" for name in REFUSE)


def generate(per_class: int = 220, seed: int = 1) -> Iterator[Case]:
    rng = random.Random(seed)
    for name, gen in RECOVER.items():
        for _ in range(per_class):
            yield Case(name, *gen(rng))
    for name, gen in REFUSE.items():
        for _ in range(per_class):
            yield Case(f"refuse_{name}", *gen(rng))
