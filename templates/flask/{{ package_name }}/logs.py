"""Logging: LOG_LEVEL, and one access line per request on stdout.

The line is ``GET /api/items 200 3.2ms``: method, path without the query
string, status, duration. Headers, bodies and query strings (where tokens and
passwords travel) are never logged.
"""

from __future__ import annotations

import logging
import re
import sys
import time

from flask import Flask, Response, g, request

from .settings import log_level

SETTINGS = {"LOG_LEVEL": (log_level, "INFO")}

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Control characters in a path could forge extra log lines: write them escaped.
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def configure_logging() -> None:
    """Send log records to stdout (called by the production entry point, wsgi.py)."""
    logging.basicConfig(stream=sys.stdout, format=FORMAT)


def _escape(path: str) -> str:
    return CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", path)


def init_app(app: Flask) -> None:
    """Set the application's log level and log every request once."""
    logging.getLogger(app.import_name).setLevel(app.config["LOG_LEVEL"])
    access = logging.getLogger(f"{app.import_name}.access")

    # Registered first: runs before every other hook, and its after_request last,
    # so the line has the final status.
    @app.before_request
    def start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response: Response) -> Response:
        started = g.get("request_started", time.perf_counter())
        duration = (time.perf_counter() - started) * 1000
        access.info(
            "%s %s %s %.1fms",
            request.method,
            _escape(request.path),
            response.status_code,
            duration,
        )
        return response
