"""Operations: Prometheus ``/metrics`` (outside the OpenAPI schema), the turn analytics API and
the live analytics page at ``/analytics``."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, Response

from careerpilot.observability.analytics import TurnAnalytics, turn_analytics
from careerpilot.observability.metrics import CONTENT_TYPE_LATEST
from careerpilot.server.deps import CurrentOperator, MetricsReader, State
from careerpilot.server.errors import ErrorResponse

__all__ = ["router"]

router = APIRouter()


@router.get(
    "/v1/analytics",
    tags=["operations"],
    responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}},
)
async def get_analytics(
    state: State,
    _operator: CurrentOperator,
    window_s: Annotated[int, Query(ge=60, le=7 * 24 * 3600, description="seconds back")] = 3600,
    bucket_s: Annotated[
        int | None, Query(ge=10, le=24 * 3600, description="bucket size (default window/60)")
    ] = None,
) -> TurnAnalytics:
    """Turns, outcomes, TTFT percentiles and errors over the last ``window_s`` seconds, from the
    stored answers (every replica's)."""
    if bucket_s is not None and window_s // bucket_s > 1000:
        bucket_s = -(-window_s // 1000)
    return await turn_analytics(state.store.database, window_s, bucket_s)


@router.get("/metrics", include_in_schema=False, dependencies=[MetricsReader])
async def metrics(state: State) -> Response:
    """Prometheus text exposition of this process's metrics (who may read it: ``deps``)."""
    return Response(state.observer.metrics.render(), media_type=CONTENT_TYPE_LATEST)


@router.get("/analytics", include_in_schema=False)
async def analytics_page() -> FileResponse:
    static = Path(str(resources.files("careerpilot.web").joinpath("static")))
    return FileResponse(static / "analytics.html", headers={"Cache-Control": "no-cache"})
