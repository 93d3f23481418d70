"""Observability: Prometheus metrics, OpenTelemetry spans and JSON logs per turn, and the turn
analytics behind the ``/analytics`` page (docs/observability.md)."""

from careerpilot.observability.analytics import TurnAnalytics, turn_analytics
from careerpilot.observability.context import RequestContextMiddleware, current_request
from careerpilot.observability.logs import JsonFormatter, configure_logging
from careerpilot.observability.metrics import Metrics
from careerpilot.observability.observer import TurnObserver

__all__ = [
    "JsonFormatter",
    "Metrics",
    "RequestContextMiddleware",
    "TurnAnalytics",
    "TurnObserver",
    "configure_logging",
    "current_request",
    "turn_analytics",
]
