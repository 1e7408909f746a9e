"""Error answers: JSON for the API and for clients that prefer it, HTML otherwise.

Django calls the handlers below (urls.py: handler400 and the others) for
errors outside the API views; errors of the API views go through
api.exception_handler. Neither shows a traceback (unless DEBUG is on).
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

View = Callable[..., HttpResponse]


def wants_json(request: HttpRequest) -> bool:
    """True under /api/, on /health, and for clients preferring JSON to HTML."""
    path = request.path
    if path in ("/api", "/health") or path.startswith("/api/"):
        return True
    preferred = request.get_preferred_type(["application/json", "text/html"])
    return preferred == "application/json"


def error_response(
    request: HttpRequest,
    status: int,
    message: str,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """``{"error": message}`` or a small HTML page, with ``status``."""
    if wants_json(request):
        return JsonResponse({"error": message}, status=status, headers=headers)
    # no request context: this also renders when the request itself is broken
    page = render_to_string(
        "error.html",
        {"title": settings.PROJECT_TITLE, "status": status, "message": message},
    )
    return HttpResponse(page, status=status, headers=headers)


def allow_methods(*methods: str) -> Callable[[View], View]:
    """Decorator: other methods get 405 with an ``Allow`` header."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(
            request: HttpRequest, *args: object, **kwargs: object
        ) -> HttpResponse:
            if request.method not in methods:
                return error_response(
                    request, 405, "method not allowed", {"Allow": ", ".join(methods)}
                )
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: a request Django refused (unknown host, oversized body...)."""
    if isinstance(exception, RequestDataTooBig):
        return error_response(request, 413, "request body too large")
    return error_response(request, 400, "bad request")


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler403."""
    return error_response(request, 403, "forbidden")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form post without a valid CSRF token."""
    return error_response(request, 403, "forbidden: CSRF check failed")


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: no route for this path."""
    return error_response(request, 404, "not found")


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a bug; the traceback goes to the log, never to the client."""
    return error_response(request, 500, "internal server error")
