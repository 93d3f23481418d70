"""The careerpilot HTTP server: the assistant API (`/v1`) and the network API (`/api/v1`)."""

from __future__ import annotations

import datetime as dt
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from careerpilot.config import Settings
from careerpilot.llm.base import ChatModel
from careerpilot.network import api as network_api
from careerpilot.observability import RequestContextMiddleware, TurnObserver
from careerpilot.pipeline.assistant import Assistant
from careerpilot.server.admission import MemberRateLimiter, TurnAdmission
from careerpilot.server.auth import TokenSigner, load_or_create_key
from careerpilot.server.deps import AppState
from careerpilot.server.errors import install_error_handlers
from careerpilot.server.routes import analytics, annotate, conversations, dev, system
from careerpilot.store.annotations import AnnotationStore
from careerpilot.store.conversations import ConversationStore

__all__ = ["create_app", "freeze_startup_heap"]

log = logging.getLogger(__name__)


def create_app(settings: Settings, *, model: ChatModel | None = None) -> FastAPI:
    """Build the app; ``model`` replaces the configured LLM (tests bring a scripted one)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.ensure_data_dir()
        store = ConversationStore(settings.app_db_url)
        await store.create_schema()
        # Answers a killed process left `streaming` are interrupted. On SQLite this process is
        # the only writer; on a shared database other replicas' turns are younger than this.
        settled = dt.timedelta(seconds=(settings.turn_deadline_s or 15.0) + 60)
        sqlite = store.engine.dialect.name == "sqlite"
        abandoned = await store.interrupt_abandoned(None if sqlite else settled)
        if abandoned:
            log.warning(
                "marked %d answers left streaming by a stopped process interrupted", abandoned
            )
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
            observer=TurnObserver.for_assistant(settings.observability, assistant),
            admission=TurnAdmission(
                settings.server.max_concurrent_turns, settings.server.admission_wait_s
            ),
            rate_limiter=MemberRateLimiter(
                settings.server.member_messages_per_minute, settings.server.member_message_burst
            ),
        )
        if assistant.pool is not None:  # tokens, cost and fail-overs per LLM endpoint
            assistant.pool.observer = app.state.careerpilot.observer
        # The network API is served by the same process over the assistant's repository.
        app.state.network_repository = assistant.network_repository
        # ...with the same ranked search (q=..., job-matches) the assistant's skills use.
        if assistant.search is not None:
            app.state.network_search = assistant.search.network
        try:
            yield
        finally:
            await app.state.careerpilot.observer.aclose()
            await assistant.aclose()
            await store.aclose()

    app = FastAPI(
        title="careerpilot",
        version="0.1.0",
        description="A streaming, grounded, multi-agent assistant for professional networking.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    if settings.server.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.server.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
        )
    app.include_router(system.router)
    app.include_router(conversations.router)
    app.include_router(network_api.router)
    app.include_router(annotate.router)
    app.include_router(analytics.router)  # /metrics, /v1/analytics, /analytics
    app.add_middleware(RequestContextMiddleware)  # request and turn ids for logs and spans
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
