"""The ``careerpilot`` command line: ask, serve, token, data seed|stats."""

from __future__ import annotations

from careerpilot.cli.app import app, main

__all__ = ["app", "main"]
