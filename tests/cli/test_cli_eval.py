"""``careerpilot data index`` and ``careerpilot eval retrieval``, run as a user would."""

import json
from pathlib import Path

from test_cli import run

from conftest import SMALL

# The shared test network is small: say so, so that the relevance set is derived for it.
SIZE = {f"CAREERPILOT_NETWORK__{k.upper()}": str(v) for k, v in SMALL.model_dump().items()}


def test_index_refreshes_only_what_changed(data_dir: Path) -> None:
    first = run(data_dir, "data", "index", **SIZE)
    assert first.returncode == 0, first.stderr
    again = run(data_dir, "data", "index", **SIZE)
    assert again.returncode == 0, again.stderr
    rows = {line.split("│")[1].strip(): line for line in again.stdout.splitlines() if "│" in line}
    for name in ("jobs", "people", "posts", "knowledge"):
        cells = [c.strip() for c in rows[name].split("│")[1:-1]]
        assert cells[2] == "0" and cells[3] == "0", rows[name]  # nothing embedded or deleted


def test_eval_retrieval_json_compares_the_three_retrievers(data_dir: Path) -> None:
    result = run(data_dir, "eval", "retrieval", "--json", **SIZE)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert set(doc) == {"bm25", "dense", "hybrid"}
    for scores in doc.values():
        assert set(scores) == {"recall@10", "ndcg@10"}
        assert 0.0 <= scores["recall@10"] <= 1.0 and 0.0 <= scores["ndcg@10"] <= 1.0
    # A floor, not a target: a broken index or filter mapping drops far below it.
    assert doc["hybrid"]["recall@10"] > 0.5


def test_eval_retrieval_table(data_dir: Path) -> None:
    result = run(data_dir, "eval", "retrieval", **SIZE)
    assert result.returncode == 0, result.stderr
    assert "hybrid" in result.stdout and "recall@10" in result.stdout


def test_route_jsonl_answers_every_line_and_flags_bad_ones(data_dir: Path, tmp_path: Path) -> None:
    lines = [
        {"query": "summarise this", "context": {"type": "post", "id": 3}},
        {"query": "what is a notice period", "context": None},
        "not json",
        {"query": "best pizza in town"},
    ]
    source = tmp_path / "queries.jsonl"
    source.write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n",
        encoding="utf-8",
    )
    result = run(data_dir, "route", "--jsonl", str(source), "--no-fallback")
    assert result.returncode == 1, result.stderr  # one line was malformed
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("agent") for o in out] == ["post_takeaways", "general", None, "out_of_scope"]
    assert out[2]["error"]["code"] == "invalid_input" and out[2]["error"]["line"] == 3
    assert all(0 < o["confidence"] <= 1 and o["fallback"] is False for o in out if "agent" in o)


def test_eval_router_json(data_dir: Path) -> None:
    result = run(data_dir, "eval", "router", "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["queries"] >= 300 and doc["accuracy"] >= 0.97
    labels = doc["confusion"]["labels"]
    assert sum(sum(row.values()) for row in doc["confusion"]["rows"].values()) == doc["queries"]
    assert set(doc["per_label"]) == set(labels)
    assert set(doc["out_of_scope"]) == {"precision", "recall"}
