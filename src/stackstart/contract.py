"""The black-box HTTP contract every generated project answers (DESIGN.md §5).

Used by `stackstart verify` and by tests/contract. Only the standard library:
the checks talk to a real server over real HTTP.
"""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Check", "Response", "request", "run_contract"]


@dataclass(frozen=True)
class Response:
    """A finished HTTP exchange."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON (raises ValueError when it is not)."""
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Check:
    """One assertion of the contract and whether it held."""

    name: str
    passed: bool
    detail: str = ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def request(
    base_url: str,
    method: str,
    path: str,
    body: object | None = None,
    token: str | None = None,
    timeout: float = 10.0,
) -> Response:
    """Send one request without following redirects; HTTP errors are returned, not raised."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"Accept": "application/json"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(base_url.rstrip("/") + path, data=data, headers=headers, method=method)
    try:
        with _OPENER.open(req, timeout=timeout) as resp:
            return Response(resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read())
    except urllib.error.HTTPError as error:
        return Response(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


@dataclass
class _Run:
    base_url: str
    checks: list[Check] = field(default_factory=list)

    def call(self, method: str, path: str, body: object | None = None, token: str | None = None) -> Response:
        return request(self.base_url, method, path, body, token)

    def check(
        self, name: str, resp: Response, status: int | tuple[int, ...], test: Callable[[Any], bool] | None = None
    ) -> Any:
        """Record whether ``resp`` has ``status`` and a JSON body passing ``test``; return the body."""
        wanted = status if isinstance(status, tuple) else (status,)
        payload: Any = None
        problem = ""
        if resp.status not in wanted:
            problem = f"expected HTTP {'/'.join(map(str, wanted))}, got {resp.status}: {resp.body[:300]!r}"
        elif test is not None:
            try:
                payload = resp.json()
            except ValueError:
                problem = f"body is not JSON: {resp.body[:300]!r}"
            else:
                if not test(payload):
                    problem = f"unexpected body: {payload!r:.300}"
        self.checks.append(Check(name, not problem, problem))
        return payload


def _is_item(value: Any, name: str | None = None) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("id"), int | str)
        and isinstance(value.get("name"), str)
        and isinstance(value.get("created_at"), str)
        and (name is None or value["name"] == name)
    )


def _has_errors(*fields: str) -> Callable[[Any], bool]:
    def test(body: Any) -> bool:
        errors = body.get("errors") if isinstance(body, dict) else None
        return isinstance(errors, dict) and any(
            isinstance(errors.get(f), list) and errors[f] and all(isinstance(m, str) for m in errors[f]) for f in fields
        )

    return test


def run_contract(
    base_url: str,
    *,
    project_name: str,
    database: bool,
    auth: bool,
    admin: bool,
    admin_credentials: tuple[str, str] | None = None,
) -> list[Check]:
    """Probe a running server and return every check of the contract that applies."""
    run = _Run(base_url)
    health_ok = {"status": "ok", "database": "ok"} if database else {"status": "ok"}
    run.check(
        "GET /health → 200 " + json.dumps(health_ok),
        run.call("GET", "/health"),
        200,
        lambda b: isinstance(b, dict) and all(b.get(k) == v for k, v in health_ok.items()),
    )
    home = run.call("GET", "/")
    names_project = project_name.lower() in home.body.decode("utf-8", "replace").lower().replace(" ", "-")
    run.checks.append(
        Check(
            "GET / → 200 HTML naming the project",
            home.status == 200 and "text/html" in home.headers.get("content-type", "") and names_project,
            "" if home.status == 200 else f"got HTTP {home.status}",
        )
    )
    token = _auth_checks(run) if auth else None
    if database:
        _item_checks(run, token)
    if admin:
        _admin_checks(run, admin_credentials)
    return run.checks


def _auth_checks(run: _Run) -> str | None:
    email = f"contract-{secrets.token_hex(4)}@example.com"
    password = "correct horse battery"  # noqa: S105 - a throwaway user made by the probe
    run.check(
        "POST /api/auth/register → 201",
        run.call("POST", "/api/auth/register", {"email": email, "password": password}),
        201,
    )
    run.check(
        "register duplicate email → 422",
        run.call("POST", "/api/auth/register", {"email": email.upper(), "password": password}),
        422,
        _has_errors("email"),
    )
    run.check(
        "register short password → 422",
        run.call("POST", "/api/auth/register", {"email": "x" + email, "password": "short"}),
        422,
        _has_errors("password"),
    )
    run.check(
        "login wrong password → 401",
        run.call("POST", "/api/auth/login", {"email": email, "password": "wrong password"}),
        401,
    )
    body = run.check(
        "POST /api/auth/login → 200 {token}",
        run.call("POST", "/api/auth/login", {"email": email, "password": password}),
        200,
        lambda b: isinstance(b, dict) and isinstance(b.get("token"), str) and len(b["token"]) >= 16,
    )
    token: str | None = body["token"] if isinstance(body, dict) else None
    run.check("GET /api/auth/me without token → 401", run.call("GET", "/api/auth/me"), 401)
    bogus = "not-a-real-token"
    run.check("GET /api/auth/me with bad token → 401", run.call("GET", "/api/auth/me", token=bogus), 401)
    if token is None:
        return None
    run.check(
        "GET /api/auth/me → 200 {email}",
        run.call("GET", "/api/auth/me", token=token),
        200,
        lambda b: isinstance(b, dict) and str(b.get("email", "")).lower() == email,
    )
    # a second session to revoke, keeping the first for the item checks
    second = run.call("POST", "/api/auth/login", {"email": email, "password": password})
    other = second.json().get("token") if second.status == 200 else None
    run.check("POST /api/auth/logout → 204", run.call("POST", "/api/auth/logout", token=other), 204)
    run.check("revoked token → 401 on /api/auth/me", run.call("GET", "/api/auth/me", token=other), 401)
    run.check("first token still valid after another logout", run.call("GET", "/api/auth/me", token=token), 200)
    return token


def _item_checks(run: _Run, token: str | None) -> None:
    name = f"contract item {secrets.token_hex(3)}"
    if token is not None:
        run.check("POST /api/items without token → 401", run.call("POST", "/api/items", {"name": name}), 401)
    created = run.check(
        "POST /api/items → 201 item",
        run.call("POST", "/api/items", {"name": name}, token),
        201,
        lambda b: _is_item(b, name),
    )
    run.check(
        "POST /api/items empty name → 422",
        run.call("POST", "/api/items", {"name": ""}, token),
        422,
        _has_errors("name"),
    )
    run.check(
        "POST /api/items 201-char name → 422",
        run.call("POST", "/api/items", {"name": "x" * 201}, token),
        422,
        _has_errors("name"),
    )
    run.check("POST /api/items missing name → 422", run.call("POST", "/api/items", {}, token), 422, _has_errors("name"))
    run.check(
        "POST /api/items non-string name → 422",
        run.call("POST", "/api/items", {"name": 5}, token),
        422,
        _has_errors("name"),
    )
    run.check(
        "GET /api/items → 200 list containing the item",
        run.call("GET", "/api/items"),
        200,
        lambda b: isinstance(b, list) and any(_is_item(i, name) for i in b),
    )
    if not _is_item(created):
        return
    path = f"/api/items/{created['id']}"
    run.check(f"GET {path} → 200", run.call("GET", path), 200, lambda b: _is_item(b, name))
    run.check("GET /api/items/999999999 → 404", run.call("GET", "/api/items/999999999"), 404)
    if token is not None:
        run.check(f"DELETE {path} without token → 401", run.call("DELETE", path), 401)
    deleted = run.call("DELETE", path, token=token)
    run.check(f"DELETE {path} → 204", deleted, 204)
    run.check(f"GET {path} after delete → 404", run.call("GET", path), 404)
    run.check(f"DELETE {path} again → 404", run.call("DELETE", path, token=token), 404)


def _admin_checks(run: _Run, credentials: tuple[str, str] | None) -> None:
    resp = run.call("GET", "/admin/")
    leaked = resp.status == 200
    ok = resp.status in (301, 302, 303, 307, 308, 401, 403) and not leaked
    run.checks.append(
        Check("GET /admin/ anonymous → login redirect or 401/403", ok, "" if ok else f"got HTTP {resp.status}")
    )
    if credentials is not None:
        email, password = credentials
        run.check(
            "create-admin user can log in",
            run.call("POST", "/api/auth/login", {"email": email, "password": password}),
            200,
            lambda b: isinstance(b, dict) and isinstance(b.get("token"), str),
        )
