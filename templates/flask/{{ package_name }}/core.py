"""What every deployment has: the home page, /health and secure defaults."""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    jsonify,
    render_template,
    request,
)
from werkzeug.exceptions import HTTPException

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


def add_health_check(app: Flask, name: str, check: HealthCheck) -> None:
    """Make GET /health report ``name`` as "ok" or "unavailable"."""
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
            body[name] = "unavailable"
            body["status"] = "error"
    return jsonify(body), 200 if body["status"] == "ok" else 503


def _security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _http_error(error: HTTPException) -> Response | HTTPException:
    """JSON errors under /api/, Flask's HTML error pages elsewhere."""
    if not request.path.startswith("/api/"):
        return error
    response = jsonify(error=(error.name or "error").lower())
    response.status_code = error.code or 500
    return response


def init_app(app: Flask) -> None:
    """Register the core routes, security headers and error handlers."""
    app.register_blueprint(bp)
    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _http_error)
