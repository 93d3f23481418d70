"""The web client in a real browser: Playwright drives Debian's Chromium against a real server.

One server with the embedded model serves the module (it starts once); the stop test brings its
own server with a slow scripted model.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, FloatRect, Locator, Page, expect, sync_playwright

from careerpilot.config import ChainOfThoughtSettings, Settings
from careerpilot.llm.testing import ScriptedModel
from conftest import SMALL, ServerThread

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
)

# Turns on the embedded model take about a second; leave room for a busy 2-core machine.
TURN_TIMEOUT_MS = 90_000
CARD_TYPES = {"job_card", "job_fit", "company_card", "post_takeaways", "action_plan"}


class Server(ServerThread):
    """``ServerThread`` with more time to start: the first server of a session builds the search
    indexes of the seeded network, which takes well over a minute on a busy 2-core machine."""

    START_TIMEOUT_S = 300

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + self.START_TIMEOUT_S
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("the test server stopped while starting")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the test server did not start in {self.START_TIMEOUT_S} s")
            time.sleep(0.02)
        return self


def settings_for(data_dir: Path, app_dir: Path) -> Settings:
    """Settings over the shared seeded network, with this server's own app database."""
    settings = Settings(data_dir=data_dir, network=SMALL)
    settings.__dict__["app_db_url"] = f"sqlite+aiosqlite:///{app_dir / 'app.sqlite3'}"
    return settings


@pytest.fixture(scope="module")
def server(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with the real embedded model, started once for the module."""
    settings = settings_for(data_dir, tmp_path_factory.mktemp("web-app"))
    with Server(settings, None) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Page updates that wait on the server (sign-in, lists, replays) get room on a busy machine.
    expect.set_options(timeout=15_000)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield launched
        launched.close()
    expect.set_options(timeout=5_000)  # Playwright's default, for the modules that follow


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context per test (its own sessionStorage); fails on any page error."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, f"errors in the page: {errors}"


# ---------------------------------------------------------------------------------------------
# Helpers


def sign_in(page: Page, url: str, member_id: int) -> None:
    page.goto(f"{url}/")
    page.locator(f'#member-select option[value="{member_id}"]').wait_for(state="attached")
    page.get_by_label("Member").select_option(str(member_id))
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("#signed-in")).to_contain_text("Signed in as")
    expect(page.get_by_label("Your question")).to_be_visible()


def reload(page: Page) -> None:
    page.reload()
    expect(page.locator("body")).to_have_attribute("data-ready", "true")


def select_first(page: Page, kind: str) -> str:
    """Open the first item of a browse tab; returns its title as shown in the details."""
    page.get_by_role("tab", name=kind.title()).click()
    page.locator(f'#item-list .item[data-kind="{kind}"]').first.click()
    expect(page.locator(f'.detail-card[data-kind="{kind}"]')).to_be_visible()
    expect(page.locator("#context-chip")).to_contain_text("Asking about:")
    return page.locator("#detail-heading").inner_text().strip()


def send(page: Page, question: str) -> Locator:
    """Type a question and send it; returns the locator of its answer turn."""
    answered = page.locator(".turn-assistant").count()
    page.get_by_label("Your question").fill(question)
    page.get_by_role("button", name="Send", exact=True).click()
    return page.locator(".turn-assistant").nth(answered)


def ask(page: Page, question: str) -> Locator:
    """Send a question and wait for its answer to finish."""
    turn = send(page, question)
    expect(turn).to_have_attribute("data-status", "complete", timeout=TURN_TIMEOUT_MS)
    expect(page.get_by_role("button", name="Send", exact=True)).to_be_enabled()
    expect(page.get_by_role("button", name="Stop", exact=True)).to_be_disabled()
    return turn


def answer_text(turn: Locator) -> str:
    return "".join(turn.locator('[data-role="answer-text"]').all_text_contents()).strip()


def component_types(turn: Locator) -> set[str]:
    types = turn.locator("[data-component-type]").evaluate_all(
        "els => els.map(el => el.dataset.componentType)"
    )
    return set(types)


def session_token(page: Page) -> str:
    token: str = page.evaluate("JSON.parse(sessionStorage.getItem('careerpilot.session')).token")
    return token


def conversation_id(page: Page) -> str:
    return parse_qs(urlsplit(page.url).fragment)["c"][0]


def stored_conversation(url: str, page: Page, messages: int) -> dict[str, Any]:
    """The conversation as the API stores it, once it holds ``messages`` messages."""
    headers = {"Authorization": f"Bearer {session_token(page)}"}
    deadline = time.monotonic() + 10
    while True:
        response = httpx.get(f"{url}/v1/conversations/{conversation_id(page)}", headers=headers)
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        if len(body["messages"]) >= messages or time.monotonic() > deadline:
            return body
        time.sleep(0.05)


# ---------------------------------------------------------------------------------------------
# One question per agent, through the page


@pytest.mark.parametrize(
    ("member", "kind", "question", "agent", "card"),
    [
        pytest.param(2, "jobs", "Am I a good fit for this job?", "job_assessment", "job_fit"),
        pytest.param(3, "posts", "Summarise this post", "post_takeaways", "post_takeaways"),
        pytest.param(4, "companies", "What does this company do?", "company", "company_card"),
        pytest.param(5, None, "What skills should I learn next?", "career_advice", "action_plan"),
    ],
    ids=["job_assessment", "post_takeaways", "company", "career_advice"],
)
def test_each_agent_answers_with_its_card(
    page: Page,
    server: ServerThread,
    member: int,
    kind: str | None,
    question: str,
    agent: str,
    card: str,
) -> None:
    sign_in(page, server.url, member)
    title = select_first(page, kind) if kind else None
    if kind is None:
        expect(page.locator("#context-chip")).to_be_hidden()
    turn = ask(page, question)
    expect(turn).to_have_attribute("data-agent", agent)
    rendered = turn.locator(f'[data-component-type="{card}"]')
    expect(rendered).to_have_count(1)
    expect(rendered).to_be_visible()
    if title is not None:  # the card is about the selected item
        expect(rendered).to_contain_text(title)
    assert answer_text(turn), "the answer's text streamed into the transcript"
    # the question is shown, with the item it was about
    user = page.locator(".turn-user").last
    expect(user).to_contain_text(question)
    if title is not None:
        expect(user).to_contain_text(f"About: {title}")


def test_general_question_shows_sources(page: Page, server: ServerThread) -> None:
    sign_in(page, server.url, 6)
    turn = ask(page, "What is a notice period?")
    expect(turn).to_have_attribute("data-agent", "general")
    assert "notice" in answer_text(turn).lower()
    sources = turn.locator('[data-component-type="citations"]')
    expect(sources).to_be_visible()
    links = sources.locator("a[href^='http']")
    assert links.count() >= 1
    assert not component_types(turn) & CARD_TYPES


def test_out_of_scope_question_gets_no_card(page: Page, server: ServerThread) -> None:
    sign_in(page, server.url, 7)
    turn = ask(page, "What's the weather in Paris tomorrow?")
    expect(turn).to_have_attribute("data-agent", "out_of_scope")
    expect(turn.locator(".turn-agent")).to_have_text("Out of scope")
    assert not component_types(turn) & (CARD_TYPES | {"citations"})
    said = answer_text(turn) + " ".join(
        turn.locator('[data-component-type="notice"]').all_text_contents()
    )
    assert re.search(r"only help with work and careers|out of scope", said, re.IGNORECASE), said
    # its follow-ups are buttons that ask
    chips = turn.locator('[data-component-type="suggestion_chips"] button')
    assert chips.count() >= 1


def test_suggestion_chip_asks_its_question(page: Page, server: ServerThread) -> None:
    sign_in(page, server.url, 8)
    first = ask(page, "What's the weather in Paris tomorrow?")
    chip = first.locator('[data-component-type="suggestion_chips"] button').first
    chip_text = chip.inner_text().strip()
    chip.click()
    second = page.locator(".turn-assistant").nth(1)
    expect(second).to_have_attribute("data-status", "complete", timeout=TURN_TIMEOUT_MS)
    expect(page.locator(".turn-user").nth(1)).to_contain_text(chip_text)


# ---------------------------------------------------------------------------------------------
# Stop, reload, history


def test_stop_ends_the_turn_and_it_is_stored_interrupted(
    browser: Browser, data_dir: Path, tmp_path: Path
) -> None:
    slow = ScriptedModel("word " * 200, delay_s=0.1)
    with Server(settings_for(data_dir, tmp_path), slow) as server:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        try:
            sign_in(page, server.url, 1)
            select_first(page, "jobs")
            stop = page.get_by_role("button", name="Stop", exact=True)
            expect(stop).to_be_disabled()
            turn = send(page, "Am I a good fit for this job?")
            expect(turn.locator('[data-role="answer-text"]').first).to_contain_text(
                "word", timeout=30_000
            )
            expect(stop).to_be_enabled()
            expect(page.get_by_role("button", name="Send", exact=True)).to_be_disabled()
            stop.click()
            expect(turn).to_have_attribute("data-status", "stopped", timeout=10_000)
            expect(turn.locator(".turn-stopped")).to_have_text("Stopped")
            expect(page.get_by_role("button", name="Send", exact=True)).to_be_enabled()
            expect(stop).to_be_disabled()
            stored = stored_conversation(server.url, page, 2)
            answer = stored["messages"][1]
            assert answer["role"] == "assistant"
            assert answer["status"] == "interrupted"
            assert answer["text"].startswith("word") and answer["text"].count("word") < 200
            # a reload shows the stopped answer as it was left
            page.reload()
            replayed = page.locator(".turn-assistant").first
            expect(replayed).not_to_have_attribute("data-status", "complete")
            expect(replayed.locator(".turn-stopped")).to_be_visible()
        finally:
            context.close()


def test_hidden_reasoning_shows_as_progress_and_its_time_in_the_footer(
    browser: Browser, data_dir: Path, tmp_path: Path
) -> None:
    reasoning = "Reasoning: " + "secretive " * 40 + "\nAnswer: You match most of what it asks."
    model = ScriptedModel(reasoning, delay_s=0.05)
    settings = settings_for(data_dir, tmp_path)
    settings.chain_of_thought = ChainOfThoughtSettings(agents=["job_assessment"])
    with Server(settings, model) as server:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        try:
            sign_in(page, server.url, 1)
            select_first(page, "jobs")
            turn = send(page, "Am I a good fit for this job?")
            expect(page.locator("#status-line")).to_have_text("Thinking it through…")
            expect(turn).to_have_attribute("data-status", "complete", timeout=TURN_TIMEOUT_MS)
            assert answer_text(turn) == "You match most of what it asks."
            assert "secretive" not in turn.inner_text()
            expect(turn.locator(".turn-foot")).to_contain_text(re.compile(r"thought \d+ ms"))
            stored = stored_conversation(server.url, page, 2)["messages"][1]
            assert "secretive" not in stored["text"] and stored["timings"]["reasoning_ms"] > 1000
        finally:
            context.close()


def test_reload_restores_the_conversation_and_history(page: Page, server: ServerThread) -> None:
    sign_in(page, server.url, 9)
    title = select_first(page, "jobs")
    question = "Am I a good fit for this job?"
    turn = ask(page, question)
    said = answer_text(turn)
    assert said

    page.reload()
    expect(page.locator("#signed-in")).to_contain_text("Signed in as")
    expect(page.locator(".turn-user")).to_have_count(1)
    expect(page.locator(".turn-user")).to_contain_text(question)
    replayed = page.locator(".turn-assistant")
    expect(replayed).to_have_count(1)
    expect(replayed).to_have_attribute("data-status", "complete")
    expect(replayed.locator('[data-component-type="job_fit"]')).to_contain_text(title)
    assert answer_text(replayed) == said
    expect(page.locator("#context-chip")).to_contain_text(title)  # the selection came back too

    page.get_by_role("button", name="History").click()
    item = page.locator("#history-list .history-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text(question)
    expect(item).to_have_attribute("aria-current", "true")

    page.get_by_role("button", name="New conversation").click()
    expect(page.locator("#transcript .turn")).to_have_count(0)
    expect(page.get_by_label("Your question")).to_be_focused()
    assert "c=" not in urlsplit(page.url).fragment

    item.click()  # back to it from the history
    expect(page.locator('#transcript [data-component-type="job_fit"]')).to_contain_text(title)
    expect(page.locator(".turn-user")).to_contain_text(f"About: {title}")


def test_sign_out_forgets_the_member(page: Page, server: ServerThread) -> None:
    sign_in(page, server.url, 10)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Member")).to_be_visible()
    expect(page.get_by_label("Your question")).to_be_hidden()
    page.reload()
    expect(page.get_by_label("Member")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('careerpilot.session')") is None


# ---------------------------------------------------------------------------------------------
# The renderer and the stream reader, in the browser


def test_unknown_component_degrades_to_its_text(page: Page, server: ServerThread) -> None:
    page.goto(f"{server.url}/")
    rendered = page.evaluate(
        """async () => {
            const { renderComponent } = await import('/static/render.js');
            const el = renderComponent({ type: 'future_widget', text: 'fallback text', n: 1 });
            document.body.append(el);
            return { type: el.dataset.componentType, text: el.textContent.trim() };
        }"""
    )
    assert rendered == {"type": "future_widget", "text": "fallback text"}


def test_turn_view_applies_patches_citations_and_never_parses_html(
    page: Page, server: ServerThread
) -> None:
    page.goto(f"{server.url}/")
    result = page.evaluate(
        """async () => {
            const { TurnView } = await import('/static/render.js');
            const turn = new TurnView({ live: false });
            document.body.append(turn.element);
            const events = [
                { type: 'route', agent: 'general', confidence: 1, fallback: false },
                { type: 'component', id: 'c1', component: { type: 'citations', text: 'Sources',
                  sources: [{ index: 1, title: 'Notice periods', url: 'https://k.invalid/n',
                              cited: false }] } },
                { type: 'text', delta: '<img src=x onerror="window.pwned = 1">Two weeks' },
                { type: 'patch', id: 'c1', op: 'set', path: 'sources.0.cited', value: true },
                { type: 'citation', index: 1, title: 'Notice periods', url: 'https://k.invalid/n' },
                { type: 'patch', id: 'c1', op: 'append', path: 'sources',
                  value: { index: 2, title: 'Bad', url: 'javascript:alert(1)', cited: false } },
                { type: 'text', delta: ' is common.' },
                { type: 'done', usage: {}, timings: { ttft_ms: 260.4, total_ms: 900 } },
            ];
            for (const e of events) turn.apply(e);
            const el = turn.element;
            const sources = el.querySelectorAll('[data-component-type="citations"] li');
            return {
                status: el.dataset.status,
                agent: el.querySelector('.turn-agent').textContent,
                images: el.querySelectorAll('img').length,
                text: [...el.querySelectorAll('[data-role="answer-text"]')]
                    .map(p => p.textContent).join(''),
                marker: el.querySelector('sup.cite a')?.getAttribute('aria-label'),
                markerHref: el.querySelector('sup.cite a')?.getAttribute('href'),
                cited: [...sources].map(li => li.dataset.cited),
                badHref: sources[1]?.querySelector('a') !== null,
                foot: el.querySelector('.turn-foot').textContent,
                busy: el.getAttribute('aria-busy'),
            };
        }"""
    )
    assert result["status"] == "complete"
    assert result["agent"] == "General question"
    assert result["images"] == 0 and not page.evaluate("window.pwned")
    assert result["text"] == '<img src=x onerror="window.pwned = 1">Two weeks[1] is common.'
    assert result["marker"] == "Source 1: Notice periods"
    assert result["markerHref"] == "https://k.invalid/n"
    assert result["cited"] == ["true", "false"]
    assert result["badHref"] is False  # a javascript: URL never becomes a link
    assert result["foot"] == "first token 260 ms · answered in 900 ms"
    assert result["busy"] is None


def test_events_of_the_older_wire_format_render_too(page: Page, server: ServerThread) -> None:
    """Before the presenter: sources as citation events before the text, follow-ups as a
    ``suggestions`` event, components without ids."""
    page.goto(f"{server.url}/")
    result = page.evaluate(
        """async () => {
            const { TurnView } = await import('/static/render.js');
            const turn = new TurnView({ live: false });
            for (const e of [
                { type: 'citation', index: 1, title: 'A', url: 'https://k.invalid/a' },
                { type: 'component', component: { type: 'notice', level: 'info', text: 'FYI' } },
                { type: 'text', delta: 'Answer.' },
                { type: 'suggestions', suggestions: ['Next?'] },
                { type: 'done', usage: {}, timings: {} },
            ]) turn.apply(e);
            const el = turn.element;
            return {
                types: [...el.querySelectorAll('[data-component-type]')]
                    .map(x => x.dataset.componentType),
                markers: el.querySelectorAll('sup.cite').length,
                chip: el.querySelector('.chip')?.textContent,
            };
        }"""
    )
    assert result == {
        "types": ["notice", "citations", "suggestion_chips"],
        "markers": 0,
        "chip": "Next?",
    }


def test_sse_reader_handles_frames_split_across_chunks(page: Page, server: ServerThread) -> None:
    page.goto(f"{server.url}/")
    chunks = [
        'event: route\r\ndata: {"type":"route","ag',
        'ent":"general"}\r\n\r\nevent: text\ndata: {"type":"text","delta":"hi"}\n',
        '\n: a comment\n\nevent: done\ndata: {"type":"done","usage":{},"timings":{}}\n\n',
    ]
    events = page.evaluate(
        """async (chunks) => {
            const { readEvents } = await import('/static/api.js');
            const encoder = new TextEncoder();
            const body = new ReadableStream({ start(controller) {
                for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
                controller.close();
            } });
            const out = [];
            for await (const e of readEvents(body)) out.push([e.type, e.agent ?? e.delta ?? null]);
            return out;
        }""",
        chunks,
    )
    assert events == [["route", "general"], ["text", "hi"], ["done", None]]


# ---------------------------------------------------------------------------------------------
# Accessibility and layout


def test_keyboard_and_accessibility_basics(page: Page, server: ServerThread) -> None:
    sign_in(page, server.url, 11)
    question = page.get_by_label("Your question")
    assert question.evaluate("el => el.tagName") == "TEXTAREA"
    log = page.get_by_role("log")
    expect(log).to_have_attribute("aria-live", "polite")
    expect(page.get_by_role("status").first).to_be_attached()

    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('button, input, select, textarea, a[href]')]
            .filter(el => el.offsetParent !== null)
            .filter(el => !(el.labels?.length || el.getAttribute('aria-label')
                            || el.getAttribute('aria-labelledby') || el.textContent.trim()))
            .map(el => el.outerHTML.slice(0, 80))"""
    )
    assert unlabelled == []

    # From the top of a freshly loaded page: the skip link first; Tab goes on through the
    # header, the browse panel and the assistant to the question, and Send right after it.
    skip = page.get_by_role("link", name="Skip to the assistant")
    reload(page)
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "question":
            break
    expect(question).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Send", exact=True)).to_be_focused()

    # The skip link lands in the question box.
    reload(page)
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(question).to_be_focused()

    # Shift+Enter adds a line; nothing is sent.
    page.keyboard.type("line one")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("line two")
    assert question.input_value() == "line one\nline two"
    expect(page.locator(".turn")).to_have_count(0)

    # The browse tabs follow the ARIA tabs pattern (arrow keys move between them).
    jobs = page.get_by_role("tab", name="Jobs")
    jobs.focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="Posts")).to_be_focused()
    expect(page.get_by_role("tab", name="Posts")).to_have_attribute("aria-selected", "true")
    expect(page.locator('#item-list .item[data-kind="posts"]').first).to_be_visible()


def test_errors_before_streaming_are_alerts(page: Page, server: ServerThread) -> None:
    sign_in(page, server.url, 12)
    page.get_by_role("button", name="Send", exact=True).click()
    alert = page.locator("#form-error")
    expect(alert).to_have_attribute("role", "alert")
    expect(alert).to_contain_text("Type a question first")

    too_long = "x" * 4001
    page.get_by_label("Your question").fill(too_long)
    page.get_by_role("button", name="Send", exact=True).click()
    expect(alert).to_contain_text("the limit is 4,000")
    # nothing was sent: the question is given back, no turn is left in the transcript
    expect(page.get_by_label("Your question")).to_have_value(too_long)
    expect(page.locator(".turn")).to_have_count(0)
    expect(page.get_by_role("button", name="Send", exact=True)).to_be_enabled()


def test_layout_is_side_by_side_when_wide_and_stacked_when_narrow(
    page: Page, server: ServerThread
) -> None:
    page.goto(f"{server.url}/")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")

    def boxes() -> dict[str, FloatRect]:
        found: dict[str, FloatRect] = {}
        for name in ("browse-heading", "assistant"):
            box = page.locator(f"#{name}").bounding_box()
            assert box is not None
            found[name] = box
        return found

    wide = boxes()
    assert wide["assistant"]["x"] > wide["browse-heading"]["x"] + 300
    page.set_viewport_size({"width": 390, "height": 844})
    narrow = boxes()
    assert narrow["assistant"]["y"] > narrow["browse-heading"]["y"]
    assert narrow["assistant"]["width"] <= 390
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 390, "nothing overflows sideways on a phone"


def test_item_from_the_url_is_the_page_context(page: Page, server: ServerThread) -> None:
    """A link to /#job=ID opens that job beside the assistant; removing the chip clears it."""
    job = httpx.get(f"{server.url}/api/v1/jobs/3").json()
    sign_in(page, server.url, 13)
    page.goto(f"{server.url}/#job=3")
    page.reload()
    expect(page.locator("#detail-heading")).to_have_text(job["title"])
    chip = page.locator("#context-chip")
    expect(chip).to_contain_text(f"{job['title']} at {job['company_name']}")
    page.get_by_role("button", name=re.compile("^Remove context")).click()
    expect(chip).to_be_hidden()
    expect(page.locator("#detail-heading")).to_have_text("Details")
    assert "job=" not in urlsplit(page.url).fragment
