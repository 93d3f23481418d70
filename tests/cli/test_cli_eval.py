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
