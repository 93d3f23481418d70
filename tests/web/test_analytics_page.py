"""The analytics page (/analytics) in a real browser: Playwright drives Debian's Chromium
against a real server whose database holds answers stored at known times; more answers stored
while the page is open show up without a reload.

The server's skills point at an unused address, so it starts without building the network's
search indexes (the page never asks a question).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy.orm import Session

from careerpilot.config import Settings
from careerpilot.llm.testing import ScriptedModel
from careerpilot.server.auth import TokenSigner, load_or_create_key
from careerpilot.store.conversations import ConversationStore
from careerpilot.store.models import ConversationRow, MessageRow
from conftest import SMALL, ServerThread

CHROMIUM = Path("/usr/bin/chromium")
T = TypeVar("T")

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
)

TIMEOUT_MS = 15_000

# (minutes ago, status, agent, ttft ms)
FIRST = [
    (2.0, "complete", "job_assessment", 120.0),
    (2.0, "complete", "job_assessment", 480.0),
    (9.0, "error", "general", None),
    (30.0, "interrupted", "company", 260.0),
    (50.0, "complete", "general", 900.0),
    (75.0, "complete", "general", 5000.0),  # older than the hour
]
LATER = [(0.0, "complete", "company", 300.0), (0.0, "error", "company", None)]


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on its own loop in a worker thread (Playwright's sync API keeps an event
    loop running in the test's thread)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _store(
    url: str, conversation: str, answers: list[tuple[float, str, str, float | None]]
) -> None:
    store = ConversationStore(url)
    now = dt.datetime.now(dt.UTC)
    try:
        await store.create_schema()

        def write(session: Session) -> None:
            if session.get(ConversationRow, conversation) is None:
                session.add(ConversationRow(id=conversation, member_id=1))
                session.flush()
            for minutes, status, agent, ttft in answers:
                timings = {"total_ms": 1500.0} | ({"ttft_ms": ttft} if ttft is not None else {})
                session.add(
                    MessageRow(
                        conversation_id=conversation,
                        role="assistant",
                        text="an answer that never reaches the analytics page",
                        status=status,
                        agent=agent,
                        timings=timings,
                        created_at=now - dt.timedelta(minutes=minutes),
                    )
                )

        await store.database.write(write)
    finally:
        await store.aclose()


class Server(ServerThread):
    def __init__(self, settings: Settings, model: ScriptedModel) -> None:
        super().__init__(settings, model)
        self.settings = settings


@pytest.fixture(scope="module")
def server(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    settings = Settings(data_dir=data_dir, network=SMALL, api_base_url="http://127.0.0.1:9")
    app_dir = tmp_path_factory.mktemp("analytics-app")
    settings.__dict__["app_db_url"] = f"sqlite+aiosqlite:///{app_dir / 'app.sqlite3'}"
    run_async(_store(settings.app_db_url, "c-analytics", FIRST))
    with Server(settings, ScriptedModel("ok")) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    opened = context.new_page()
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert errors == []


def api(server: Server) -> dict[str, Any]:
    signer = TokenSigner(load_or_create_key(server.settings.signing_key_path), 3600)
    headers = {"Authorization": f"Bearer {signer.issue(1)}"}
    response = httpx.get(f"{server.url}/v1/analytics?window_s=3600", headers=headers)
    assert response.status_code == 200
    data: dict[str, Any] = response.json()
    return data


def shown_ms(value: float) -> str:
    return f"{round(value):,} ms"


def test_the_page_charts_the_last_hour_and_refreshes_live(server: Server, page: Page) -> None:
    page.goto(f"{server.url}/analytics?refresh_ms=700")
    expect(page.get_by_role("heading", name="Sign in to see analytics")).to_be_visible()
    page.get_by_label("Member id").fill("1")
    page.get_by_role("button", name="Sign in", exact=True).click()

    data = api(server)
    assert data["turns"] == 5 and data["ttft_ms"]["n"] == 4
    expect(page.locator("#tile-turns")).to_have_text("5")
    expect(page.locator("#tile-errors")).to_have_text("1 (20.0%)")
    expect(page.locator("#tile-interrupted")).to_have_text("1")
    for q in ("p50", "p95", "p99"):
        expect(page.locator(f"#tile-{q}")).to_have_text(shown_ms(data["ttft_ms"][q]))
    expect(page.locator("#window-label")).to_have_text("hour")
    expect(page.locator("#agent-rows tr[data-agent=job_assessment] td").last).to_have_text("2")
    expect(page.locator("#agent-rows tr[data-agent=general] td").last).to_have_text("2")

    # The charts are inline SVG built from the buckets.
    turns = page.locator("#chart-turns svg")
    expect(turns).to_have_attribute("aria-label", "Turns per bucket: 5 in all")
    complete = turns.locator("rect[data-kind=complete]")
    expected = [b for b in data["buckets"] if b["complete"]]
    expect(complete).to_have_count(len(expected))
    counts = sorted(int(c) for c in complete.evaluate_all("(rs) => rs.map((r) => r.dataset.count)"))
    assert counts == sorted(b["complete"] for b in expected) and sum(counts) == 3
    expect(page.locator("#chart-errors svg rect[data-kind=error]")).to_have_count(1)
    p99 = page.locator("#chart-latency g[data-quantile=p99] circle")
    expect(p99).to_have_count(3)  # three buckets with a TTFT (the error has none)
    values = sorted(float(v) for v in p99.evaluate_all("(cs) => cs.map((c) => c.dataset.value)"))
    assert values == sorted(b["ttft_ms"]["p99"] for b in data["buckets"] if b["ttft_ms"]["n"])
    assert max(values) == 900.0  # 75 minutes ago is outside the window
    heights = complete.evaluate_all("(rs) => rs.map((r) => Number(r.getAttribute('height')))")
    assert max(heights) > min(heights) > 0  # the 2-turn bucket is taller than a 1-turn one

    # Answers stored now (by any replica) appear at the next poll, with no reload.
    page.evaluate("window.__sameDocument = true")
    updates = int(page.locator("body").get_attribute("data-updates") or "0")
    run_async(_store(server.settings.app_db_url, "c-analytics", LATER))
    expect(page.locator("#tile-turns")).to_have_text("7")
    expect(page.locator("#tile-errors")).to_have_text("2 (28.6%)")
    expect(page.locator("#agent-rows tr[data-agent=company] td").last).to_have_text("3")
    expect(page.locator("#chart-errors svg rect[data-kind=error]")).to_have_count(2)
    assert int(page.locator("body").get_attribute("data-updates") or "0") > updates
    assert page.evaluate("window.__sameDocument") is True
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
    expect(page.locator("#updated")).to_contain_text("Updated")


def test_an_expired_session_asks_to_sign_in_again(server: Server, page: Page) -> None:
    page.goto(f"{server.url}/analytics")
    page.evaluate(
        "sessionStorage.setItem('careerpilot.session', "
        "JSON.stringify({token: 'nonsense', member_id: 1, name: 'x'}))"
    )
    page.reload()
    expect(page.locator("#sign-in-error")).to_have_text(
        "Your session has expired. Please sign in again."
    )
    expect(page.locator("#dashboard")).to_be_hidden()
