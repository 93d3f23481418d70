"""The annotation page (/annotate) in a real browser: Playwright drives Debian's Chromium
against a real server whose queue holds a few imported answers.

The server's skills point at an unused address: the page never reaches the network, and the
server then starts without building the network's search indexes (a minute on a busy 2-core
machine).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import select

from careerpilot.config import Settings
from careerpilot.llm.testing import ScriptedModel
from careerpilot.store.annotations import AnnotationStore
from careerpilot.store.conversations import ConversationStore
from careerpilot.store.models import LabelRow
from conftest import SMALL, ServerThread

CHROMIUM = Path("/usr/bin/chromium")
T = TypeVar("T")

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
)

TIMEOUT_MS = 15_000
DIMENSIONS = ("quality", "groundedness", "coherence", "style")


def result(
    ident: str,
    judge: float | None,
    supported: float,
    components: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "id": ident,
        "agent": "career_advice",
        "question": f"Question {ident}: how do I move into data engineering?",
        "text": f"Answer {ident}: learn SQL, then Spark.\n\nThen apply to Nimbus.",
        "components": components or [],
        "error": None,
        "metrics": {
            "judge.quality": judge,
            "judge.groundedness": judge,
            "judge.coherence": judge,
            "judge.style": judge,
            "grounded.supported": supported,
        },
    }


JOB_CARD = {
    "type": "job_card",
    "job_id": 7,
    "title": "Data Engineer",
    "company_name": "Nimbus",
    "location": "Berlin",
    "remote": False,
    "seniority": "mid",
    "salary_range": "60-80k EUR",
    "text": "Data Engineer at Nimbus (Berlin)",
}

# Priorities: contradicted 1.1 > unparsed 1.0 > unsure 0.3 > sure 0.0
DOC: dict[str, Any] = {
    "suite": "ui",
    "items": [
        result("sure", 5.0, 1.0),
        result("contradicted", 5.0, 0.2, [{"type": "text", "text": ""}, JOB_CARD]),
        result("unsure", 3.0, 0.5),
        result("unparsed", None, 1.0, [{"type": "mystery", "text": "A card of a new kind"}]),
    ],
}


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion on its own loop in a worker thread (Playwright's sync API
    keeps an event loop running in the test's thread)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _import(url: str) -> None:
    store = ConversationStore(url)
    try:
        await store.create_schema()
        await AnnotationStore(store.database).import_results(DOC)
    finally:
        await store.aclose()


async def _labels(url: str, annotator: str) -> dict[str, Any]:
    store = ConversationStore(url)
    try:
        async with store.engine.connect() as connection:
            rows = await connection.execute(select(LabelRow).where(LabelRow.annotator == annotator))
            return {row.item_id: row for row in rows}
    finally:
        await store.aclose()


class Server(ServerThread):
    """``ServerThread`` with room to start on a busy machine (the router trains once per data
    directory), and the address of its app database."""

    def __init__(self, settings: Settings, model: ScriptedModel) -> None:
        super().__init__(settings, model)
        self.db_url = settings.app_db_url


@pytest.fixture(scope="module")
def server(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    settings = Settings(data_dir=data_dir, network=SMALL, api_base_url="http://127.0.0.1:9")
    app_dir = tmp_path_factory.mktemp("annotate-app")
    settings.__dict__["app_db_url"] = f"sqlite+aiosqlite:///{app_dir / 'app.sqlite3'}"
    run_async(_import(settings.app_db_url))
    with Server(settings, ScriptedModel("ok")) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Any]:
    """Pages in fresh contexts (their own sessionStorage); any page error fails the test."""
    contexts = []
    errors: list[str] = []

    def make() -> Page:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield make
    for context in contexts:
        context.close()
    assert errors == []


def sign_in(page: Page, url: str, member: int) -> str:
    page.goto(f"{url}/annotate")
    expect(page.get_by_role("heading", name="Sign in to annotate")).to_be_visible()
    page.get_by_label("Member id").fill(str(member))
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("#member-name")).to_contain_text(f"member {member}")
    token: str = page.evaluate("JSON.parse(sessionStorage.getItem('careerpilot.session')).token")
    return token


def expect_item(page: Page, case: str, progress: str) -> None:
    expect(page.locator("#item-question")).to_have_text(
        f"Question {case}: how do I move into data engineering?"
    )
    expect(page.locator("#progress")).to_have_text(progress)


def radio(page: Page, dimension: str, score: int) -> Any:
    return page.locator(f"#{dimension}-{score}")


def test_label_by_keyboard_then_mouse_without_reloads(server: Server, new_page: Any) -> None:
    page = new_page()
    token = sign_in(page, server.url, 1)
    expect(page.locator("#keyboard-help")).to_contain_text("Keyboard:")
    # The judge's doubts first: its groundedness contradicts the automatic check.
    expect_item(page, "contradicted", "1 of 4 in this batch")
    expect(page.locator("#item-answer p")).to_have_count(2)
    cards = page.locator("#item-components > .an-component")
    expect(cards).to_have_count(1)  # the empty text component is the answer itself
    expect(cards.first).to_contain_text("Nimbus")
    # The judge's scores are there, collapsed.
    judge = page.locator("#judge-view")
    expect(judge).not_to_have_attribute("open", "")
    expect(judge.locator("[data-judge=quality]")).not_to_be_visible()
    # Focus starts on the first rubric control.
    expect(radio(page, "quality", 1)).to_be_focused()
    page.evaluate("window.__sameDocument = true")
    headers = {"Authorization": f"Bearer {token}"}
    before = httpx.get(f"{server.url}/v1/annotate/agreement", headers=headers).json()
    summary = page.locator("#agreement-summary")
    expect(summary).to_contain_text(f"{before['labels']} label")

    # Keyboard only: q 4, g 2, c 5, s 4, r, m + comment, Enter.
    for key in ("q", "4", "g", "2", "c", "5", "s", "4", "r", "m"):
        page.keyboard.press(key)
    expect(page.locator("#comment")).to_be_focused()
    page.keyboard.type("Invents the salary range.")
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("Saved")
    expect_item(page, "unparsed", "2 of 4 in this batch")
    expect(page.locator("#item-components")).to_contain_text("A card of a new kind")
    expect(radio(page, "quality", 1)).to_be_focused()
    expect(page.locator("#rubric input:checked")).to_have_count(0)
    expect(page.locator("#comment")).to_have_value("")
    assert page.evaluate("window.__sameDocument") is True
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1

    # The mouse: a missing dimension is refused first, with an alert.
    radio(page, "quality", 3).click()
    radio(page, "groundedness", 5).click()
    page.get_by_role("button", name="Submit").click()
    alert = page.locator("#rubric-error")
    expect(alert).to_have_attribute("role", "alert")
    expect(alert).to_contain_text("Coherence and Style and empathy are missing")
    expect_item(page, "unparsed", "2 of 4 in this batch")
    radio(page, "coherence", 4).click()
    radio(page, "style", 2).click()
    expect(alert).to_be_empty()
    page.get_by_label("Comment").click()
    page.get_by_label("Comment").fill("Too curt.")
    page.get_by_role("button", name="Submit").click()
    expect_item(page, "unsure", "3 of 4 in this batch")
    assert page.evaluate("window.__sameDocument") is True

    labels = run_async(_labels(server.db_url, "member-1"))
    assert set(labels) == {"ui:contradicted", "ui:unparsed"}
    first, second = labels["ui:contradicted"], labels["ui:unparsed"]
    assert first.scores == {
        "quality": 4,
        "groundedness": 2,
        "coherence": 5,
        "style": 4,
        "rai_violation": True,
    }
    assert first.comment == "Invents the salary range." and first.guidelines == "v1"
    assert second.scores == {
        "quality": 3,
        "groundedness": 5,
        "coherence": 4,
        "style": 2,
        "rai_violation": False,
    }
    assert second.comment == "Too curt." and second.guidelines == "v1"

    # The agreement panel shows what the API says, refreshed after each label.
    figures = httpx.get(f"{server.url}/v1/annotate/agreement", headers=headers).json()
    assert figures["labels"] == before["labels"] + 2
    expect(summary).to_contain_text(f"{figures['labels']} labels on {figures['items_labelled']}")
    for dim in DIMENSIONS:
        kappa = figures["judge_kappa"][dim]
        shown = "—" if kappa is None else f"{kappa:.2f}"
        row = page.locator(f"#agreement-rows tr[data-dimension={dim}]")
        expect(row.locator("[data-metric=kappa]")).to_contain_text(shown)
        expect(row.locator("[data-metric=kappa]")).to_contain_text(f"n={figures['judge_n'][dim]}")

    # Several annotators per item: another member gets the same first answer.
    other = new_page()
    sign_in(other, server.url, 2)
    expect_item(other, "contradicted", "1 of 4 in this batch")
    expect(other.locator("#item-meta")).to_contain_text("1 label so far")


def test_guidelines_and_an_empty_queue(server: Server, new_page: Any) -> None:
    page = new_page()
    token = sign_in(page, server.url, 3)
    guidelines = page.locator("#guidelines-body")
    expect(guidelines.get_by_role("heading", name="Groundedness (g, then 1–5)")).to_be_visible()
    expect(guidelines.locator("li").first).to_contain_text("answers the question fully")
    expect(page.locator("#guidelines-version")).to_have_text("v1")
    # Arrow keys move between dimensions; digits score the current one.
    expect(radio(page, "quality", 1)).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("3")
    expect(radio(page, "groundedness", 3)).to_be_checked()
    expect(radio(page, "groundedness", 3)).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(radio(page, "quality", 1)).to_be_focused()

    # Label every item elsewhere; a reload keeps the session and finds nothing left.
    headers = {"Authorization": f"Bearer {token}"}
    label = dict.fromkeys(DIMENSIONS, 3) | {"guidelines": "v1"}
    for item in DOC["items"]:
        response = httpx.post(
            f"{server.url}/v1/annotate/items/ui:{item['id']}/labels", json=label, headers=headers
        )
        assert response.status_code == 201
    page.reload()
    expect(page.get_by_text("Nothing left to review")).to_be_visible()
    expect(page.locator("#rubric")).to_be_hidden()
    expect(page.locator("#member-name")).to_contain_text("member 3")
