"""Shared fixtures: a small seeded network in a temporary data directory, the real embedder."""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from careerpilot.config import NetworkSize, Settings
from careerpilot.llm.base import ChatModel
from careerpilot.network.seeding import seed_network
from careerpilot.retrieval.embedder import OnnxEmbedder

SMALL = NetworkSize(companies=25, members=150, jobs=250, posts=300)

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
    s = Settings(data_dir=data_dir, network=SMALL)
    # Each test writes its own conversations; the network file is shared and read-only.
    s.__dict__["app_db_url"] = f"sqlite+aiosqlite:///{tmp_path / 'app.sqlite3'}"
    return s


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
