"""Logs as JSON lines (or plain text) carrying the request, conversation and turn ids.

What is logged at info level is the operator's business only: ids, agents, codes, timings and
counts; never a message's text, a token or a secret (the turn log lists what it records)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Any, TextIO

from careerpilot.config import ObservabilitySettings
from careerpilot.observability.context import current_request

__all__ = ["ContextFilter", "JsonFormatter", "configure_logging"]

# The attributes every LogRecord has; anything else was passed with ``extra=``.
_STANDARD = frozenset(
    logging.LogRecord("", 0, "", 0, "", (), None).__dict__.keys()
    | {"message", "asctime", "request_id", "conversation_id", "turn_id", "taskName"}
)
_HANDLER_NAME = "careerpilot"


class ContextFilter(logging.Filter):
    """Copies the current request's ids onto each record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = current_request()
        record.request_id = context.request_id if context else None
        record.conversation_id = context.conversation_id if context else None
        record.turn_id = context.turn_id if context else None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the ids, then ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "conversation_id", "turn_id"):
            value = getattr(record, key, None)
            if value is not None:
                out[key] = value
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str, ensure_ascii=False)


class _TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        ids = [
            f"{key}={value}"
            for key in ("request_id", "turn_id")
            if (value := getattr(record, key, None)) is not None
        ]
        return f"{line} [{' '.join(ids)}]" if ids else line


def configure_logging(settings: ObservabilitySettings, stream: TextIO | None = None) -> None:
    """Send the root logger's records (uvicorn's included, with ``log_config=None``) to
    ``stream`` (stderr) in the configured format and level. Calling it again replaces the
    handler it installed, not others."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else _TextFormatter())
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    # httpx logs every request's URL at info: the skills' search queries carry the member's
    # words. They show at debug only.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
