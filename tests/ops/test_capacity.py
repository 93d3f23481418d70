"""Capacity planning: Little's law over measured turns, from the command line and the store."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from careerpilot.cli import app as cli  # the Typer app
from careerpilot.ops.capacity import TurnFigures, measured_turns, plan_capacity, typical
from careerpilot.store.conversations import ConversationStore


def test_an_endpoint_holds_concurrency_over_the_time_a_turn_holds_a_slot() -> None:
    figures = TurnFigures(ttft_ms=200, tbt_ms=20, completion_tokens=91, prompt_tokens=900)
    assert figures.hold_s == pytest.approx(2.0)  # 200 ms + 90 gaps of 20 ms
    plan = plan_capacity(figures, concurrency=8, target_tps=10, headroom=0.5, api_cpu_ms=25)
    assert plan.endpoint_tps == pytest.approx(4.0)
    assert plan.endpoint_replicas == 5  # 10 / (4 x 0.5)
    assert plan.tokens_per_s == pytest.approx(4.0 * 991)
    assert plan.api_cores == pytest.approx(0.5)  # 10 turns/s x 25 ms at 50% use
    with pytest.raises(ValueError, match="headroom"):
        plan_capacity(figures, concurrency=8, target_tps=10, headroom=0)


async def test_figures_come_from_the_stored_answers(tmp_path: Path) -> None:
    store = ConversationStore(f"sqlite+aiosqlite:///{tmp_path / 'app.db'}")
    await store.create_schema()
    cid = await store.create_conversation(1)
    for n in range(10):
        await store.add_assistant_message(
            cid,
            text="x",
            status="complete",
            agent="general",
            events=[],
            usage={"prompt_tokens": 500, "completion_tokens": 50 + n, "total_tokens": 550 + n},
            timings={"ttft_ms": 300.0 + 10 * n, "tbt_p50_ms": 10.0},
        )
    # an out-of-scope answer (no narration) and an interrupted one do not count
    await store.add_assistant_message(
        cid,
        text="",
        status="complete",
        agent="out_of_scope",
        events=[],
        usage=None,
        timings={"total_ms": 3.0},
    )
    await store.add_assistant_message(
        cid, text="", status="interrupted", agent="general", events=[], usage=None, timings=None
    )
    turns = await measured_turns(store.database)
    await store.aclose()
    assert len(turns) == 10
    slow = typical(turns, 0.9)
    assert slow.ttft_ms == 390.0 and slow.completion_tokens == 59 and slow.tbt_ms == 10.0


def test_a_measured_slot_hold_is_planned_from_and_a_partial_one_is_not() -> None:
    loaded = TurnFigures(ttft_ms=1500, tbt_ms=20, completion_tokens=91, llm_hold_ms=1200)
    assert loaded.estimated_hold_s == pytest.approx(3.3)  # TTFT counts the wait for a slot
    assert loaded.hold_s == pytest.approx(1.2)
    assert plan_capacity(loaded, concurrency=6, target_tps=0).endpoint_tps == pytest.approx(5.0)
    turns = [
        TurnFigures(ttft_ms=100, tbt_ms=10, completion_tokens=10, llm_hold_ms=float(200 + n))
        for n in range(10)
    ]
    assert typical(turns, 0.5).llm_hold_ms == 205.0
    older = TurnFigures(ttft_ms=100, tbt_ms=10, completion_tokens=10)  # stored before holds
    assert typical([*turns, older], 0.5).llm_hold_ms is None


def test_the_command_prints_the_plan_and_explains_a_missing_measurement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAREERPILOT_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    given = runner.invoke(
        cli,
        [
            "capacity",
            "--target-tps",
            "10",
            "--ttft-ms",
            "200",
            "--tbt-ms",
            "20",
            "--tokens",
            "91",
            "--concurrency",
            "8",
            "--headroom",
            "0.5",
        ],
    )
    assert given.exit_code == 0, given.output
    assert "5 (at 50% use)" in given.output and "4.00" in given.output
    stored = runner.invoke(cli, ["capacity", "--target-tps", "10"])
    assert stored.exit_code == 1 and "no measured turns" in stored.output
    partial = runner.invoke(cli, ["capacity", "--target-tps", "1", "--ttft-ms", "5"])
    assert partial.exit_code != 0
