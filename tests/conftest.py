"""Shared fixtures: a small seeded network in a temporary data directory, the real embedder."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from careerpilot.config import NetworkSize, Settings
from careerpilot.llm.base import ChatModel
from careerpilot.network.seeding import seed_network
from careerpilot.retrieval.embedder import OnnxEmbedder
from careerpilot.server.auth import TokenSigner, load_or_create_key

SMALL = NetworkSize(companies=25, members=150, jobs=250, posts=300)

# The PostgreSQL server `make test` starts (scripts/postgres.sh), kept before the clean-up below.
TEST_POSTGRES_URL = os.environ.get("CAREERPILOT_TEST_POSTGRES_URL", "")

# Tests never read a developer's own configuration.
for name in list(os.environ):
    if name.startswith("CAREERPILOT_"):
        del os.environ[name]


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("careerpilot-data")
    seed_network(Settings(data_dir=path, network=SMALL))
    return path


@pytest.fixture
def settings(data_dir: Path, tmp_path: Path) -> Settings:
    """Settings over the shared seeded network, with a fresh app database per test."""
    # The real embedded model on a busy 2-core CI box can take longer than the product's 15 s
    # turn deadline; tests of the deadline itself set their own.
    s = Settings(data_dir=data_dir, network=SMALL, turn_deadline_s=120)
    # Each test writes its own conversations; the network file is shared and read-only.
    s.__dict__["app_db_url"] = f"sqlite+aiosqlite:///{tmp_path / 'app.sqlite3'}"
    return s


@pytest.fixture(scope="session")
async def postgres_server() -> str:
    """The URL of the test PostgreSQL server; skips when none was started, fails when one was
    announced but does not answer (so the PostgreSQL tests never skip silently in CI)."""
    if not TEST_POSTGRES_URL:
        pytest.skip(
            "PostgreSQL is not available: CAREERPILOT_TEST_POSTGRES_URL is unset "
            "(`make postgres` installs and starts it as root with apt-get; docs/storage.md)"
        )
    engine = create_async_engine(TEST_POSTGRES_URL, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:
        pytest.fail(f"CAREERPILOT_TEST_POSTGRES_URL is set but PostgreSQL does not answer: {exc}")
    finally:
        await engine.dispose()
    return TEST_POSTGRES_URL


@pytest.fixture
async def postgres_url(postgres_server: str) -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"careerpilot_test_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(postgres_server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(postgres_server).set(database=name).render_as_string(hide_password=False)
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty application database on each backend in turn (the storage tests run on both):
    a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'app.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture(scope="session")
def embedder() -> OnnxEmbedder:
    return OnnxEmbedder(Settings().embedder)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ServerThread:
    """A real uvicorn server on loopback, in a background thread with its own event loop."""

    def __init__(self, settings: Settings, model: ChatModel | None) -> None:
        from careerpilot.server.app import create_app

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(settings, model=model), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 180  # a loaded 2-core machine trains the router slowly
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def auth(settings: Settings, member: int) -> dict[str, str]:
    """A bearer token for ``member``, signed with the test data directory's key."""
    signer = TokenSigner(load_or_create_key(settings.signing_key_path), 3600)
    return {"Authorization": f"Bearer {signer.issue(member)}"}


def parse_sse(body: str) -> list[tuple[str, dict[str, object]]]:
    """(event name, data) per server-sent event of a response body."""
    events = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


_SERVE = """
import sys, uvicorn
from careerpilot.config import Settings
from careerpilot.llm.testing import ScriptedModel
from careerpilot.server.app import create_app

uvicorn.run(create_app(Settings(), model=%s), host="127.0.0.1", port=int(sys.argv[1]),
            log_level="warning")
"""


@contextmanager
def server_process(
    settings: Settings, database_url: str, model: str, **env: str
) -> Iterator[tuple[str, int]]:
    """A real server in its own process (so that it can be killed, or loaded by a client that
    does not share its cores' Python interpreter), over the test network. ``model`` is the
    Python expression of its ``ScriptedModel``; ``env`` adds ``CAREERPILOT_*`` settings."""
    port = free_port()
    environment = {
        **os.environ,
        "CAREERPILOT_DATA_DIR": str(settings.data_dir),
        "CAREERPILOT_DATABASE_URL": database_url,
        "CAREERPILOT_NETWORK__MEMBERS": str(settings.network.members),
        "CAREERPILOT_NETWORK__JOBS": str(settings.network.jobs),
        "CAREERPILOT_NETWORK__POSTS": str(settings.network.posts),
        "CAREERPILOT_NETWORK__COMPANIES": str(settings.network.companies),
        **env,
    }
    process = subprocess.Popen([sys.executable, "-c", _SERVE % model, str(port)], env=environment)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.2)
        yield url, process.pid
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
