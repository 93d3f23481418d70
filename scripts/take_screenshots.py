"""Screenshots of the web client for docs/web-client.md.

Starts a careerpilot server (the embedded model, a small sample network seeded in a temporary
data directory unless ``--data-dir`` names one) and drives Debian's Chromium through Playwright:
a job-fit question, a general question, the history list and a phone-sized view.

    .venv/bin/python scripts/take_screenshots.py [--out docs/screenshots] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from playwright.sync_api import Page, expect, sync_playwright

from careerpilot.config import NetworkSize, Settings
from careerpilot.network.seeding import seed_network
from careerpilot.server.app import create_app

CHROMIUM = "/usr/bin/chromium"
SMALL = NetworkSize(companies=25, members=150, jobs=250, posts=300)
MEMBER = 1
TURN_TIMEOUT_MS = 120_000


def log(message: str) -> None:
    sys.stderr.write(f"{message}\n")


@contextmanager
def running_server(settings: Settings) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def best_job_for(url: str, member_id: int) -> dict[str, Any]:
    """A job whose required skills the member mostly holds: a fit worth showing."""
    member = httpx.get(f"{url}/api/v1/members/{member_id}").json()
    skills = {s.lower() for s in member["skills"]}
    jobs = httpx.get(f"{url}/api/v1/jobs", params={"limit": 100}).json()["items"]

    def overlap(job: dict[str, Any]) -> float:
        required = [s.lower() for s in job["required_skills"]]
        return sum(s in skills for s in required) / max(1, len(required))

    return max(jobs, key=overlap)


def sign_in(page: Page, url: str) -> None:
    page.goto(f"{url}/")
    page.locator(f'#member-select option[value="{MEMBER}"]').wait_for(state="attached")
    page.get_by_label("Member").select_option(str(MEMBER))
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_label("Your question")).to_be_visible()


def ask(page: Page, question: str) -> None:
    answered = page.locator(".turn-assistant").count()
    page.get_by_label("Your question").fill(question)
    page.get_by_role("button", name="Send", exact=True).click()
    turn = page.locator(".turn-assistant").nth(answered)
    expect(turn).to_have_attribute("data-status", "complete", timeout=TURN_TIMEOUT_MS)


def scroll_transcript_to(page: Page, selector: str) -> None:
    """Scroll the transcript so that the last match of ``selector`` starts at its top."""
    page.evaluate(
        """(selector) => {
            const log = document.getElementById('transcript');
            const targets = log.querySelectorAll(selector);
            const target = targets[targets.length - 1];
            log.scrollTop += target.getBoundingClientRect().top
                - log.getBoundingClientRect().top - 12;
        }""",
        selector,
    )


def shoot(page: Page, path: Path) -> None:
    """A screenshot with no hover effect and no focus ring left over from the clicks."""
    page.mouse.move(1, 1)
    page.evaluate("document.activeElement?.blur()")
    page.screenshot(path=path)
    log(f"wrote {path}")


def take(url: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    job = best_job_for(url, MEMBER)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        sign_in(page, url)

        # A job beside the assistant, and how the member fits it.
        page.goto(f"{url}/#job={job['id']}")
        page.reload()
        expect(page.locator("body")).to_have_attribute("data-ready", "true")
        expect(page.locator("#detail-heading")).to_have_text(job["title"])
        ask(page, "Am I a good fit for this job?")
        scroll_transcript_to(page, ".turn-user")
        shoot(page, out / "chat-job-fit.png")

        # A general question: an answer with its sources.
        page.get_by_role("button", name="New conversation").click()
        page.get_by_role("button", name="Close job").click()
        ask(page, "What is a notice period?")
        scroll_transcript_to(page, ".turn-user")
        shoot(page, out / "chat-general.png")

        # A company, then the history of the member's conversations.
        page.get_by_role("button", name="New conversation").click()
        page.get_by_role("tab", name="Companies").click()
        page.locator('#item-list .item[data-kind="companies"]').first.click()
        ask(page, "What does this company do?")
        page.get_by_role("button", name="History").click()
        expect(page.locator("#history-list .history-item")).to_have_count(3)
        scroll_transcript_to(page, ".turn-user")
        shoot(page, out / "history.png")

        # A phone: the panels stack. The same conversation, reloaded from its URL.
        restored = page.url
        phone = browser.new_context(viewport={"width": 390, "height": 844})
        page = phone.new_page()
        sign_in(page, url)
        page.goto(restored)
        page.reload()
        expect(page.locator("body")).to_have_attribute("data-ready", "true")
        expect(page.locator(".turn-assistant")).to_have_count(1)
        scroll_transcript_to(page, ".turn-user")
        page.evaluate("window.scrollTo(0, document.getElementById('assistant').offsetTop - 66)")
        page.wait_for_timeout(200)
        shoot(page, out / "mobile.png")
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--data-dir", type=Path, help="an existing data directory to serve")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="careerpilot-screens-") as tmp:
        if args.data_dir:
            settings = Settings(data_dir=args.data_dir)
        else:
            settings = Settings(data_dir=Path(tmp) / "data", network=SMALL)
            log("seeding a small sample network...")
            seed_network(settings)
        # The screenshots' conversations never land in a real app database.
        settings.__dict__["app_db_url"] = f"sqlite+aiosqlite:///{Path(tmp) / 'app.sqlite3'}"
        log("starting the server (loads the embedded model)...")
        with running_server(settings) as url:
            take(url, args.out)


if __name__ == "__main__":
    main()
