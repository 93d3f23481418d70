"""Recovering model-written YAML/JSON: careerpilot.parsing vs PyYAML and json_repair.

Part 1, recovery: a generated corpus (careerpilot.parsing.corpus, >5,000 replies, each with
the value it intends). Per class: recovered (equal to the intended value) and silent wrong
(a value returned that is not the intended one; for must-refuse classes, any value). Baselines:
PyYAML (libyaml safe loader) + Pydantic validation; json_repair + Pydantic validation.

Also a "harvested" row: real replies of the embedded model (SmolLM2-135M-Instruct, no
constrained decoding) to planning prompts, labelled by hand
(careerpilot/parsing/data/harvested_plans.yaml), parsed as the planner's ``Plan``.

Part 2, streaming: a ~16 KB plan arriving in 4-character chunks. careerpilot's StreamParser
(incremental) vs re-parsing the whole prefix on every chunk with jiter (partial mode),
json_repair and PyYAML. Costs are given as multiples of one careerpilot ``loads`` of the
whole document.

    .venv/bin/python benchmarks/parser.py [--per-class 220] [--chunk 4] [--size 16000]
"""

from __future__ import annotations

import argparse
import contextlib
import time
from collections import Counter
from collections.abc import Callable
from importlib import resources
from typing import Any

import jiter
import json_repair
import yaml
from pydantic import BaseModel

from careerpilot.agents.planning import Plan as PlannerPlan
from careerpilot.parsing import ParseError, StreamParser, loads
from careerpilot.parsing.corpus import Case, generate, plan_of_size, plan_yaml
from careerpilot.parsing.examples import Plan

Parser = Callable[[str, type[BaseModel]], BaseModel]


def ours(text: str, schema: type[BaseModel]) -> BaseModel:
    return loads(text, schema)


def pyyaml(text: str, schema: type[BaseModel]) -> BaseModel:
    return schema.model_validate(yaml.load(text, Loader=yaml.CSafeLoader))


def jsonrepair(text: str, schema: type[BaseModel]) -> BaseModel:
    return schema.model_validate(json_repair.loads(text))


PARSERS: dict[str, Parser] = {"careerpilot": ours, "pyyaml": pyyaml, "json_repair": jsonrepair}


def harvested_cases() -> list[Case]:
    """The hand-labelled real replies, as benchmark cases of class ``harvested``."""
    raw = yaml.safe_load(
        resources.files("careerpilot.parsing").joinpath("data/harvested_plans.yaml").read_text()
    )
    return [
        Case(
            "harvested",
            item["reply"],
            PlannerPlan,
            None if item["refuse"] else PlannerPlan.model_validate(item["expected"]),
        )
        for item in raw
    ]


def score(cases: list[Case]) -> dict[str, dict[str, tuple[int, int, int]]]:
    """parser -> class -> (total, recovered, silent wrong)."""
    out: dict[str, dict[str, tuple[int, int, int]]] = {}
    for name, parser in PARSERS.items():
        total: Counter[str] = Counter()
        good: Counter[str] = Counter()
        wrong: Counter[str] = Counter()
        for case in cases:
            total[case.cls] += 1
            try:
                value: BaseModel | None = parser(case.text, case.schema)
            except ParseError:
                value = None
            except Exception:  # baselines fail in many ways; all count as refusing
                value = None
            if value is None:
                good[case.cls] += case.expected is None
            elif value == case.expected:
                good[case.cls] += 1
            else:
                wrong[case.cls] += 1
        out[name] = {c: (total[c], good[c], wrong[c]) for c in total}
    return out


def report_recovery(cases: list[Case], harvested: list[Case]) -> None:
    table = score(cases)
    classes = list(table["careerpilot"])
    print(f"\nRecovery on {len(cases)} cases ({len(classes)} classes): recovered% / silent-wrong%")
    print(f"{'class':<18}" + "".join(f"{n:>24}" for n in PARSERS))
    for cls in [*classes, "ALL recoverable", "ALL must-refuse"]:
        row = f"{cls:<18}"
        for name in PARSERS:
            if cls.startswith("ALL"):
                refuse = cls.endswith("refuse")
                picked = [v for c, v in table[name].items() if c.startswith("refuse_") == refuse]
                total, good, wrong = (sum(x) for x in zip(*picked, strict=True))
            else:
                total, good, wrong = table[name][cls]
            row += f"{100 * good / total:>14.2f} /{100 * wrong / total:>7.2f}"
        print(row)
    report_harvested(harvested)


def report_harvested(cases: list[Case]) -> None:
    """Counts, not percentages (the set is small). recovered: the intended plan; silent wrong:
    any other value (on a must-refuse case, any value); refused: no value (ParseError or any
    baseline exception), with how many of those were on must-refuse cases."""
    must_refuse = sum(case.expected is None for case in cases)
    print(
        f"\nHarvested real replies: {len(cases)} ({len(cases) - must_refuse} with an intended"
        f" plan, {must_refuse} must-refuse): recovered / silent wrong / refused (must-refuse)"
    )
    print(f"{'class':<18}" + "".join(f"{n:>24}" for n in PARSERS))
    row = f"{'harvested':<18}"
    for parser in PARSERS.values():
        counts: Counter[str] = Counter()
        for case in cases:
            try:
                value: BaseModel | None = parser(case.text, case.schema)
            except Exception:  # ParseError, or any baseline failure: a refusal
                value = None
            if value is None:
                counts["refused"] += 1
                counts["refused_ok"] += case.expected is None
            elif value == case.expected:
                counts["recovered"] += 1
            else:
                counts["wrong"] += 1
        cell = (
            f"{counts['recovered']} / {counts['wrong']} / {counts['refused']}"
            f" ({counts['refused_ok']})"
        )
        row += f"{cell:>24}"
    print(row)


def timed(fn: Callable[[], Any], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def reparse_each_prefix(text: str, chunk: int, parse: Callable[[str], Any], every: int) -> float:
    """Seconds to re-parse every chunk's prefix; with ``every`` > 1 only every n-th prefix is
    timed and the total extrapolated (the slow baselines would take minutes)."""
    ends = list(range(chunk, len(text) + chunk, chunk))
    sample = ends[::every]
    start = time.perf_counter()
    for end in sample:
        # An incomplete prefix is often an error for these parsers; that still costs the time.
        with contextlib.suppress(Exception):
            parse(text[:end])
    return (time.perf_counter() - start) * len(ends) / len(sample)


def stream_once(text: str, chunk: int) -> None:
    parser = StreamParser(Plan)
    for i in range(0, len(text), chunk):
        parser.feed(text[i : i + chunk])
    parser.close()


def report_streaming(size: int, chunk: int) -> None:
    plan = plan_of_size(size)
    as_json = plan.model_dump_json()
    as_yaml = plan_yaml(plan)
    assert loads(as_yaml, Plan) == plan == loads(as_json, Plan)
    one_yaml = timed(lambda: loads(as_yaml, Plan))
    one_json = timed(lambda: loads(as_json, Plan))
    print(
        f"\nStreaming a plan of {len(as_yaml)} chars (YAML) / {len(as_json)} chars (JSON)"
        f" in {chunk}-char chunks; one careerpilot loads: YAML {one_yaml * 1e3:.1f} ms,"
        f" JSON {one_json * 1e3:.1f} ms"
    )
    rows = [
        ("careerpilot StreamParser, YAML", timed(lambda: stream_once(as_yaml, chunk)), one_yaml),
        ("careerpilot StreamParser, JSON", timed(lambda: stream_once(as_json, chunk)), one_json),
        (
            "jiter partial, re-parse prefix (JSON)",
            reparse_each_prefix(
                as_json,
                chunk,
                lambda s: jiter.from_json(s.encode(), partial_mode="trailing-strings"),
                1,
            ),
            one_json,
        ),
        (
            "json_repair, re-parse prefix (JSON) *",
            reparse_each_prefix(as_json, chunk, json_repair.loads, 50),
            one_json,
        ),
        (
            "PyYAML libyaml, re-parse prefix (YAML) *",
            reparse_each_prefix(as_yaml, chunk, lambda s: yaml.load(s, yaml.CSafeLoader), 50),
            one_yaml,
        ),
    ]
    print(f"{'method':<42}{'seconds':>10}{'x one loads':>14}")
    for name, seconds, base in rows:
        print(f"{name:<42}{seconds:>10.3f}{seconds / base:>14.1f}")
    print("* every 50th prefix timed, total extrapolated")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--per-class", type=int, default=220)
    ap.add_argument("--chunk", type=int, default=4)
    ap.add_argument("--size", type=int, default=16_000)
    args = ap.parse_args()
    report_recovery(list(generate(per_class=args.per_class)), harvested_cases())
    report_streaming(args.size, args.chunk)


if __name__ == "__main__":
    main()
