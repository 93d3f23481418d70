"""loads: every recoverable class is recovered, every must-refuse class is refused."""

from __future__ import annotations

import contextlib
import time
from typing import Any

import pytest

from careerpilot.errors import OutputError
from careerpilot.parsing import ParseError, loads, parse
from careerpilot.parsing.examples import JobFilter, Plan, Seniority, Step

BASE = JobFilter(min_salary=120000, remote=True, seniority=Seniority.SENIOR, skills=["python"])
PLAN = Plan(
    thought="Find remote jobs: then rank them",
    steps=[
        Step(skill="search_jobs", args={"query": "rust engineer", "limit": 10}),
        Step(skill="rank", args={"by": "salary"}),
    ],
)
PLAN_YAML = """thought: Find remote jobs: then rank them
steps:
  - skill: search_jobs
    args:
      query: rust engineer
      limit: 10
  - skill: rank
    args:
      by: salary
"""
FILTER_YAML = "min_salary: 120000\nremote: true\nseniority: senior\nskills:\n  - python\n"

RECOVER_FILTER: dict[str, tuple[str, dict[str, Any]]] = {
    "plain": (FILTER_YAML, {}),
    "fence": ("```yaml\n" + FILTER_YAML + "```", {}),
    "fence_unclosed": ("```\n" + FILTER_YAML, {}),
    "prose_around": (
        "Sure: here it is [v2] {draft}.\n\n" + FILTER_YAML + "\nLet me know: thanks! [ok]",
        {},
    ),
    "unquoted_colon": (
        FILTER_YAML + "title: Lead: Platform (remote: yes)\n",
        {"title": "Lead: Platform (remote: yes)"},
    ),
    "hash_content": (FILTER_YAML + "title: C #1 dev #hiring\n", {"title": "C #1 dev #hiring"}),
    "comment_after_int": (
        "min_salary: 120000  # yearly\nremote: yes # asked\nseniority: senior\nskills: [python]\n",
        {},
    ),
    "tabs": ("min_salary: 120000\nremote: true\nseniority: senior\nskills:\n\t- python\n", {}),
    "inconsistent_indent": (
        "min_salary: 120000\nremote: true\nseniority: senior\nskills:\n    - python\n  - go\n",
        {"skills": ["python", "go"]},
    ),
    "yaml11_strings": (
        FILTER_YAML + "location: NO\ntitle: 1.10\n",
        {"location": "NO", "title": "1.10"},
    ),
    "octal_string": (
        FILTER_YAML + "title: 0755\nlocation: ON\n",
        {"title": "0755", "location": "ON"},
    ),
    "python_literals": (
        "min_salary: 120000\nremote: True\nseniority: senior\nskills: [python]\nlocation: None\n",
        {},
    ),
    "inner_quotes": (FILTER_YAML + 'title: "The "best" job"\n', {"title": 'The "best" job'}),
    "key_case": (
        "Min Salary: 120000\nRemote: true\nSeniority: senior\nSkills:\n  - python\n",
        {},
    ),
    "camel_keys": (
        '{"minSalary": 120000, "remote": true, "seniority": "senior", "skills": ["python"]}',
        {},
    ),
    "enum_case": (FILTER_YAML.replace(": senior", ": Senior"), {}),
    "enum_dash": (
        FILTER_YAML.replace(": senior", ": Mid-Level"),
        {"seniority": Seniority.MID_LEVEL},
    ),
    "enum_space": (
        FILTER_YAML.replace(": senior", ": mid level"),
        {"seniority": Seniority.MID_LEVEL},
    ),
    "int_string": (FILTER_YAML.replace("120000", '"120000"'), {}),
    "int_grouped": (FILTER_YAML.replace("120000", "120,000"), {}),
    "bool_words": (FILTER_YAML.replace("true", "yes"), {}),
    "bool_off": (FILTER_YAML.replace("true", "off"), {"remote": False}),
    "scalar_for_list": (FILTER_YAML.replace("skills:\n  - python", "skills: python"), {}),
    "dashless_items": (
        FILTER_YAML.replace("  - python", "  python\n  go"),
        {"skills": ["python", "go"]},
    ),
    "json": (
        '{"min_salary": 120000, "remote": true, "seniority": "senior", "skills": ["python"]}',
        {},
    ),
    "sloppy_json": (
        "Here you go: {'min_salary': 120000, 'remote': True, 'seniority': 'senior',"
        " 'skills': ['python',],}",
        {},
    ),
    "json_inner_quotes": (
        '{"min_salary": 120000, "remote": true, "seniority": "senior", "skills": ["python"],'
        ' "title": "The "best" job"}',
        {"title": 'The "best" job'},
    ),
    "unknown_keys": (FILTER_YAML + "reasoning: because\nextra:\n  a: 1\n", {}),
    "crlf": (FILTER_YAML.replace("\n", "\r\n"), {}),
    "optional_null": (FILTER_YAML + "location: null\n", {"location": None}),
}


@pytest.mark.parametrize("name", sorted(RECOVER_FILTER))
def test_recovers_job_filter(name: str) -> None:
    text, changes = RECOVER_FILTER[name]
    assert loads(text, JobFilter) == BASE.model_copy(update=changes)


def test_recovers_plan_yaml_and_json() -> None:
    assert loads(PLAN_YAML, Plan) == PLAN
    assert loads("```json\n" + PLAN.model_dump_json(indent=2) + "\n```", Plan) == PLAN


def test_inline_comma_list() -> None:
    text = FILTER_YAML.replace("skills:\n  - python", "skills: python, rust")
    assert loads(text, JobFilter).skills == ["python", "rust"]
    quoted = FILTER_YAML.replace("skills:\n  - python", 'skills: "Paris, France"')
    assert loads(quoted, JobFilter).skills == ["Paris, France"]


def test_single_mapping_where_list_expected() -> None:
    text = "thought: one step\nsteps:\n  skill: rank\n  args:\n    by: salary\n"
    assert loads(text, Plan).steps == [Step(skill="rank", args={"by": "salary"})]


def test_any_values_are_typed_conservatively() -> None:
    text = "thought: t\nsteps:\n  - skill: s\n    args: {n: 5, on: yes, mode: 0755, x: null}\n"
    assert loads(text, Plan).steps[0].args == {"n": 5, "on": "yes", "mode": "0755", "x": None}


def test_block_scalar_and_folded_lines() -> None:
    text = "thought: |\n  line one\n  line two\nsteps: []\n"
    assert loads(text, Plan).thought == "line one\nline two"
    text = "thought: a long\n  thought here\nsteps: []\n"
    assert loads(text, Plan).thought == "a long thought here"


def test_report_lists_repairs() -> None:
    repairs: list[str] = []
    loads(
        FILTER_YAML.replace("120000", "120,000").replace("true", "yes"), JobFilter, report=repairs
    )
    assert any("thousands" in r for r in repairs)
    assert any("boolean" in r for r in repairs)
    assert parse(FILTER_YAML, JobFilter).repairs == []


REFUSE = {
    "enum_no_match": FILTER_YAML.replace(": senior", ": guru"),
    "enum_ambiguous_prefix": FILTER_YAML.replace(": senior", ": sen"),
    "fractional_int": FILTER_YAML.replace("120000", "120000.5"),
    "fractional_grouped": FILTER_YAML.replace("120000", "1,200.50"),
    "k_suffix": FILTER_YAML.replace("120000", "120k"),
    "missing_required": FILTER_YAML.replace("remote: true\n", ""),
    "bad_bool": FILTER_YAML.replace("true", "maybe"),
    "no_structure": "I am sorry, I cannot help with that request.",
    "prose_with_colon": "Note: I could not find anything.\nPlease try again: later.",
    "truncated_json": '{"min_salary": 120000, "remote": true, "seniority": "sen',
    "empty_required": FILTER_YAML.replace("remote: true", "remote:"),
    "null_required": FILTER_YAML.replace("remote: true", "remote: null"),
    "mapping_for_scalar": FILTER_YAML.replace("remote: true", "remote:\n  a: 1"),
}


@pytest.mark.parametrize("name", sorted(REFUSE))
def test_refuses(name: str) -> None:
    with pytest.raises(ParseError) as info:
        loads(REFUSE[name], JobFilter)
    assert info.value.problems
    assert isinstance(info.value, OutputError)
    assert info.value.code == "bad_model_output"


def test_problems_name_the_field() -> None:
    with pytest.raises(ParseError) as info:
        loads(FILTER_YAML.replace(": senior", ": guru").replace("120000", "1.5"), JobFilter)
    text = " ".join(info.value.problems)
    assert "seniority" in text
    assert "min_salary" in text


PATHOLOGICAL = {
    "deep_json": '{"thought": "x", "steps": ' + "[" * 10000 + "]" * 10000 + "}",
    "deep_json_map": '{"thought": "x", "steps": [{"skill": "a", "args": '
    + '{"a": ' * 10000
    + "1"
    + "}" * 10000
    + "}]}",
    "deep_yaml_dashes": "thought: x\nsteps:\n" + "- " * 10000 + "x\n",
    "deep_yaml_indent": "thought: x\nsteps:\n"
    + "".join(" " * (2 * i) + f"- k{i}:\n" for i in range(1, 2000)),
    "unterminated_json_quote": '{"thought": "' + "a" * 100_000,
    "unterminated_yaml_quote": 'thought: "' + "a" * 100_000 + "\nsteps: []\n",
    "many_quotes": '{"thought": "' + '" ' * 50_000,
    "many_brackets": "{" * 100_000,
}


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_inputs_finish(name: str) -> None:
    start = time.perf_counter()
    with contextlib.suppress(ParseError):
        loads(PATHOLOGICAL[name], Plan)
    assert time.perf_counter() - start < 5


def test_objects_in_prose_are_skipped() -> None:
    before = 'Use the shape {"name": "value"} or {hint: x}.\n'
    assert loads(before + FILTER_YAML, JobFilter) == BASE
    text = before + 'Result: {"min_salary": 120000, "remote": true, "seniority": "senior",'
    assert loads(text + ' "skills": ["python"]} {"x": 1}', JobFilter) == BASE


def test_empty_value_means_default_or_missing() -> None:
    text = FILTER_YAML.replace("skills:\n  - python\n", "skills:\ntitle:\n")
    assert loads(text, JobFilter) == BASE.model_copy(update={"skills": []})
    with pytest.raises(ParseError):
        loads("thought: t\nsteps:\n", Plan)
    assert loads("thought: t\nsteps: []\n", Plan).steps == []


@pytest.mark.parametrize(
    "reply",
    [
        # A stray "}" inside the steps list is skipped.
        '{"thought": "t", "steps": [{"skill": "a", "args": {"q": 1}}}, {"skill": "b"}]}',
        # A "]" right after the step's last entry closes the step first.
        '{"thought": "t", "steps": [{"skill": "a", "args": {"q": 1}}, {"skill": "b"]}',
    ],
)
def test_mismatched_closers_are_read_as_meant(reply: str) -> None:
    plan = loads(reply, Plan)
    assert [step.skill for step in plan.steps] == ["a", "b"]
    assert plan.steps[0].args == {"q": 1}


def test_a_closer_that_fits_nothing_still_fails() -> None:
    with pytest.raises(ParseError):
        loads('{"thought": "t", "steps": [{"skill": "a", "args": }]}', Plan)
