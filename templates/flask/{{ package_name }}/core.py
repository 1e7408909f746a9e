"""What every deployment has: the home page, /health, secure headers and errors.

Also the HTTP plumbing every response goes through: request bodies over
MAX_CONTENT_LENGTH are refused with 413 before any view runs, proxy headers are
trusted only when BEHIND_PROXY=true, and CORS headers are sent only for the
origins listed in CORS_ORIGINS.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    jsonify,
    render_template,
    request,
)
from flask.typing import ResponseReturnValue
from flask_cors import CORS
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

from .settings import boolean, comma_list, text

SETTINGS = {
    "SECRET_KEY": (text, None),
    "SESSION_COOKIE_SECURE": (boolean, True),
    "BEHIND_PROXY": (boolean, False),
    "CORS_ORIGINS": (comma_list, []),
}

bp = Blueprint("core", __name__)

# name -> check; a check returns True when its dependency answers. Features such
# as the database register theirs with add_health_check().
HealthCheck = Callable[[], bool]

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
HSTS = "max-age=31536000"
# Answered in JSON whatever the Accept header says.
JSON_PATHS = ("/api", "/health", "/openapi.json")
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
ERROR_MESSAGES = {
    401: "authentication required",
    404: "not found",
    413: "request body too large (at most 1 MiB)",
    415: "unsupported media type: send application/json",
    429: "too many requests",
    500: "internal server error",
}
CORS_HEADERS = ["Authorization", "Content-Type"]
CORS_EXPOSED = ["Link", "Location", "Retry-After", "X-Total-Count"]


def add_health_check(app: Flask, name: str, check: HealthCheck) -> None:
    """Make GET /health report ``name`` as "ok" or "unreachable"."""
    app.extensions.setdefault("health_checks", {})[name] = check


@bp.get("/")
def index() -> str:
    """The home page."""
    return render_template("index.html")


@bp.get("/health")
def health() -> tuple[Response, int]:
    """200 when the service and every registered dependency answer, else 503."""
    body = {"status": "ok"}
    for name, check in current_app.extensions.get("health_checks", {}).items():
        if check():
            body[name] = "ok"
        else:
            body[name] = "unreachable"
            body["status"] = "error"
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if body["status"] == "ok" else 503


def wants_json() -> bool:
    """Errors are JSON for the API, /health, and clients that prefer JSON."""
    path = request.path
    if any(path == prefix or path.startswith(prefix + "/") for prefix in JSON_PATHS):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _field_errors(messages: Mapping[str, Any]) -> dict[str, Any]:
    """webargs nests errors by location ({"json": {"name": [...]}}): flatten."""
    errors: dict[str, Any] = {}
    for by_field in messages.values():
        if isinstance(by_field, Mapping):
            errors.update(by_field)
    return errors


def error_response(error: HTTPException) -> ResponseReturnValue:
    """``{"error": "..."}`` (422: ``{"errors": {field: [...]}}``) or an HTML page."""
    if not wants_json():
        return error  # Werkzeug's plain HTML page: no stack trace, same headers
    code = error.code or 500
    data = getattr(error, "data", None) or {}
    if code == 422 and "messages" in data:
        body: dict[str, Any] = {"errors": _field_errors(data["messages"])}
    elif "errors" in data:
        body = {"errors": data["errors"]}
    elif "message" in data:
        body = {"error": data["message"]}
    elif code == 400 and "json" in data.get("messages", {}):
        body = {"error": "malformed JSON body"}
    else:
        body = {"error": ERROR_MESSAGES.get(code) or (error.name or "error").lower()}
    response = jsonify(body)
    response.status_code = code
    # Keep what the error adds (Allow on 405, WWW-Authenticate on 401, ...).
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    response.headers.update(data.get("headers") or {})
    return response


def _buffer_streamed_body() -> None:
    """Read a body sent without Content-Length (chunked), refusing it past the limit.

    Werkzeug would silently stop at MAX_CONTENT_LENGTH; here the whole body is
    read (413 as soon as it is too large) and handed on as a sized one.
    """
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    stream = request.environ["wsgi.input"]
    chunks, size = [], 0
    while chunk := stream.read(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise RequestEntityTooLarge()
        chunks.append(chunk)
    body = b"".join(chunks)
    request.environ["wsgi.input"] = io.BytesIO(body)
    request.environ["CONTENT_LENGTH"] = str(len(body))
    request.environ.pop("HTTP_TRANSFER_ENCODING", None)


def _read_body() -> None:
    """Read the body up front, so that one over the limit is 413 before any view.

    Werkzeug refuses a Content-Length over MAX_CONTENT_LENGTH at once.
    """
    if request.method not in BODY_METHODS:
        return
    chunked = request.headers.get("Transfer-Encoding", "").lower() == "chunked"
    if chunked and request.environ.get("wsgi.input_terminated"):
        _buffer_streamed_body()
    request.get_data(cache=True)


def _secure_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    # request.is_secure comes from X-Forwarded-Proto only through ProxyFix.
    if current_app.config["BEHIND_PROXY"] and request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def _vary_on_origin(response: Response) -> Response:
    # The CORS headers depend on Origin, even with a single allowed origin.
    response.vary.add("Origin")
    return response


def init_app(app: Flask) -> None:
    """Register the core routes, security headers, error handlers, proxy and CORS."""
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    if app.config["BEHIND_PROXY"]:
        # One proxy hop: its X-Forwarded-For, -Proto and -Host are trusted.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    if app.config["CORS_ORIGINS"]:
        # always_send=False: no CORS header at all without an allowed Origin.
        CORS(
            app,
            origins=app.config["CORS_ORIGINS"],
            allow_headers=CORS_HEADERS,
            expose_headers=CORS_EXPOSED,
            max_age=600,
            always_send=False,
        )
        app.after_request(_vary_on_origin)
    app.register_blueprint(bp)
    app.before_request(_read_body)
    app.after_request(_secure_headers)
    app.register_error_handler(HTTPException, error_response)
