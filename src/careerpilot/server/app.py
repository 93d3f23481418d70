"""The careerpilot HTTP server: the assistant API (`/v1`) and the network API (`/api/v1`)."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from careerpilot.config import Settings
from careerpilot.llm.base import ChatModel
from careerpilot.network import api as network_api
from careerpilot.pipeline.assistant import Assistant
from careerpilot.server.auth import TokenSigner, load_or_create_key
from careerpilot.server.deps import AppState
from careerpilot.server.errors import install_error_handlers
from careerpilot.server.routes import annotate, conversations, dev, system
from careerpilot.store.annotations import AnnotationStore
from careerpilot.store.conversations import ConversationStore

__all__ = ["create_app", "freeze_startup_heap"]


def create_app(settings: Settings, *, model: ChatModel | None = None) -> FastAPI:
    """Build the app; ``model`` replaces the configured LLM (tests bring a scripted one)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.ensure_data_dir()
        store = ConversationStore(settings.app_db_url)
        await store.create_schema()
        signer = TokenSigner(load_or_create_key(settings.signing_key_path), settings.token_ttl_s)
        assistant = await Assistant.open(settings, model=model)
        await assistant.warm_prefixes()
        if settings.server.gc_freeze:
            freeze_startup_heap(settings.server.gc_thresholds)
        app.state.careerpilot = AppState(
            assistant=assistant,
            store=store,
            signer=signer,
            annotations=AnnotationStore(store.database),
        )
        # The network API is served by the same process over the assistant's repository.
        app.state.network_repository = assistant.network_repository
        # ...with the same ranked search (q=..., job-matches) the assistant's skills use.
        if assistant.search is not None:
            app.state.network_search = assistant.search.network
        try:
            yield
        finally:
            await assistant.aclose()
            await store.aclose()

    app = FastAPI(
        title="careerpilot",
        version="0.1.0",
        description="A streaming, grounded, multi-agent assistant for professional networking.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.include_router(system.router)
    app.include_router(conversations.router)
    app.include_router(network_api.router)
    app.include_router(annotate.router)
    if settings.server.dev_sign_in:
        app.include_router(dev.router)
    _mount_web_client(app)
    return app


def freeze_startup_heap(thresholds: tuple[int, int, int]) -> None:
    """Move everything allocated at start-up out of the collector's sight (``gc.freeze``) and
    make collections rarer: a full collection otherwise rescans the models and indexes."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*thresholds)


def _mount_web_client(app: FastAPI) -> None:
    """The chat page: plain ES modules and CSS, no build step (``careerpilot/web/static``)."""
    static = Path(str(resources.files("careerpilot.web").joinpath("static")))
    app.mount("/static", StaticFiles(directory=static), name="static")

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(static / "index.html", headers={"Cache-Control": "no-cache"})

    @app.get("/annotate", include_in_schema=False)
    async def annotate_page() -> FileResponse:
        return FileResponse(static / "annotate.html", headers={"Cache-Control": "no-cache"})
