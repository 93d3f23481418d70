"""``careerpilot skills`` and ``careerpilot plan`` as a user runs them (real embedded model)."""

from pathlib import Path

import yaml
from test_cli import run


def test_skills_list_describes_every_skill(data_dir: Path) -> None:
    result = run(data_dir, "skills", "list")
    assert result.returncode == 0, result.stderr
    names = {entry["name"] for entry in yaml.safe_load(result.stdout)}
    assert {"get_job", "search_jobs", "search_people", "get_post", "web_search"} <= names


def test_skills_call_prints_a_compact_view(data_dir: Path) -> None:
    result = run(data_dir, "skills", "call", "get_job", '{"job_id": 1}')
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("job: ") and "requires: " in result.stdout
    raw = run(data_dir, "skills", "call", "get_job", '{"job_id": 1}', "--raw")
    assert '"required_skills"' in raw.stdout


def test_skills_call_bad_input_is_a_clear_error(data_dir: Path) -> None:
    not_json = run(data_dir, "skills", "call", "get_job", "{job_id: 1")
    assert not_json.returncode == 2 and "not JSON" in not_json.stderr
    unknown = run(data_dir, "skills", "call", "fly_to_moon", "{}")
    assert unknown.returncode == 1 and "no such skill" in unknown.stderr
    bad_args = run(data_dir, "skills", "call", "search_jobs", '{"seniority": "guru"}')
    assert bad_args.returncode == 1 and "invalid arguments" in bad_args.stderr
    for result in (not_json, unknown, bad_args):
        assert "Traceback" not in result.stderr


def test_plan_runs_the_planner_with_the_embedded_model(data_dir: Path) -> None:
    result = run(data_dir, "plan", "Find remote nurse jobs")
    assert result.returncode == 0, result.stderr
    assert "plan (" in result.stdout
    assert "'plans': 1" in result.stderr


def test_skills_call_web_search_uses_the_offline_corpus(data_dir: Path) -> None:
    result = run(
        data_dir, "skills", "call", "web_search", '{"query": "what is a 401k", "count": 2}'
    )
    assert result.returncode == 0, result.stderr
    assert "401(k)" in result.stdout and "knowledge.careerpilot.invalid" in result.stdout
