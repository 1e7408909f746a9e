"""The project's middleware (settings.MIDDLEWARE has the order), and a WSGI
wrapper for chunked request bodies (wsgi.py)."""

import io
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.encoding import escape_uri_path

from . import views
from .errors import error_response

GetResponse = Callable[[HttpRequest], HttpResponse]

access_log = logging.getLogger(f"{__package__}.access")


class AccessLogMiddleware:
    """One line per request at INFO: method, path, status, duration in ms.

    The path is logged without its query string and percent-encoded, so a
    client cannot write its own lines into the log; no header, body, token or
    password is ever logged.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        access_log.info(
            "%s %s %d %.1fms",
            request.method,
            escape_uri_path(request.path),
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )
        return response


class SecurityHeadersMiddleware:
    """The security headers of every response, including the 400 that Django
    makes when SecurityMiddleware itself fails on a Host outside ALLOWED_HOSTS
    (while building the https redirect): that answer never passes back through
    SecurityMiddleware or XFrameOptionsMiddleware, only through the middleware
    outside them. Values come from the settings those two use.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", settings.SECURE_REFERRER_POLICY)
        if not getattr(response, "xframe_options_exempt", False):
            headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        return response


class HealthCheckMiddleware:
    """Answers /health before CommonMiddleware checks the Host header.

    A container's HEALTHCHECK asks http://127.0.0.1:$PORT/health, a host a
    real deployment's ALLOWED_HOSTS does not list; and SECURE_REDIRECT_EXEMPT
    keeps it from the https redirect. Security headers still apply: this
    comes after SecurityMiddleware and XFrameOptionsMiddleware.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/health":
            return views.health(request)
        return self.get_response(request)


class BodySizeLimitMiddleware:
    """413 for a body over DATA_UPLOAD_MAX_MEMORY_SIZE (1 MiB), unread.

    Django checks that limit only when a view reads ``request.body``; Django
    REST framework reads the stream itself, so the limit is enforced here,
    from Content-Length (ChunkedBodyBuffer gives chunked bodies one).
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return error_response(request, 413, "request body too large")
        return self.get_response(request)


WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class ChunkedBodyBuffer:
    """WSGI wrapper: a chunked request body gets a Content-Length.

    Django reads a body only up to its Content-Length, so it would see a
    chunked body (which gunicorn de-chunks) as empty. This reads at most
    ``limit`` + 1 bytes of it into memory and sets Content-Length, so the
    app sees the body, and BodySizeLimitMiddleware refuses an oversized one
    as it does any other.
    """

    def __init__(self, app: WSGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not environ.get("CONTENT_LENGTH"):
            body = environ["wsgi.input"].read(self.limit + 1)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return self.app(environ, start_response)
