"""The black-box HTTP contract, version 2, every generated project answers (docs/contract.md).

Used by `stackstart verify` and by tests/contract. Only the standard library:
the checks talk to a real server over real HTTP. Two entry points match the
two boots of verify: :func:`run_contract` against the main boot
(:data:`MAIN_ENV`, plain HTTP from 127.0.0.1) and :func:`run_production`
against the production boot (``production_env`` + :data:`PRODUCTION_ENV`),
reached as if through a TLS-terminating proxy.
"""

from __future__ import annotations

import http.client
import json
import math
import re
import secrets
import statistics
import time
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from typing import Any

__all__ = [
    "ALLOWED_ORIGINS",
    "FOREIGN_ORIGIN",
    "MAIN_ENV",
    "PRODUCTION_ENV",
    "PRODUCTION_HOST",
    "Check",
    "Response",
    "request",
    "run_contract",
    "run_production",
]

ALLOWED_ORIGINS = ("https://app.example.com", "https://other.example.com")
FOREIGN_ORIGIN = "https://evil.example"
PRODUCTION_HOST = "app.example.com"
DEFAULT_TOKEN_TTL = 1209600
DEFAULT_RATE_LIMIT = 10
# what verify adds to the main boot, and to the production boot besides the framework's production_env
MAIN_ENV: Mapping[str, str] = {
    "CORS_ORIGINS": ",".join(ALLOWED_ORIGINS),
    "AUTH_RATE_LIMIT": "100000",
    "SESSION_COOKIE_SECURE": "false",
    "LOG_LEVEL": "info",
}
PRODUCTION_TOKEN_TTL = 8
PRODUCTION_ENV: Mapping[str, str] = {"BEHIND_PROXY": "true", "AUTH_TOKEN_TTL": str(PRODUCTION_TOKEN_TTL)}

MAX_BODY = 1_048_576
# how long the log checks wait for the server to write a request's access-log line
LOG_WAIT_SECONDS = 10.0
_STRICT_REFERRER = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
_TRACE = re.compile(
    r"Traceback \(most recent call last\)|\n\s+at [\w$.<>]+\([\w$]+\.java:\d+\)|\n\s+at .*\(?/.*\.[cm]?js:\d+:\d+\)?"
)
_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="?([^";,]+)"?')


@dataclass(frozen=True)
class Response:
    """A finished HTTP exchange (status 0: no HTTP answer at all, reason in ``body``)."""

    status: int
    headers: dict[str, str]
    body: bytes
    raw_headers: tuple[tuple[str, str], ...] = ()

    def json(self) -> Any:
        """The body parsed as JSON (raises ValueError when it is not)."""
        return json.loads(self.body.decode("utf-8"))

    def text(self) -> str:
        """The body as text."""
        return self.body.decode("utf-8", "replace")

    def cookies(self) -> list[tuple[str, str, str]]:
        """Every ``Set-Cookie``: (name, value, attributes in lower case)."""
        found = []
        for key, value in self.raw_headers:
            if key.lower() == "set-cookie":
                first, _, attributes = value.partition(";")
                name, _, val = first.partition("=")
                found.append((name.strip(), val.strip(), attributes.lower()))
        return found


@dataclass
class Check:
    """One assertion of the contract and whether it held."""

    name: str
    passed: bool
    detail: str = ""


def request(
    base_url: str,
    method: str,
    path: str,
    body: object | None = None,
    token: str | None = None,
    timeout: float = 10.0,
    headers: Mapping[str, str] | None = None,
    raw: bytes | Iterable[bytes] | None = None,
) -> Response:
    """Send one request without following redirects.

    ``body`` is sent as JSON; ``raw`` as given (an iterable is sent chunked),
    with whatever ``Content-Type`` ``headers`` name. A server that hangs up
    while the body is still being sent may still have answered: the answer is
    read anyway. Connection errors raise :class:`OSError` (the server is down).
    """
    split = urllib.parse.urlsplit(base_url)
    sent: dict[str, str] = {"Accept": "application/json"}
    data: bytes | Iterable[bytes] | None = raw
    if body is not None:
        data = json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    sent.update(headers or {})
    chunked = data is not None and not isinstance(data, bytes)
    conn = http.client.HTTPConnection(split.hostname or "127.0.0.1", split.port or 80, timeout=timeout)
    try:
        try:
            conn.putrequest(method, path, skip_host="Host" in sent, skip_accept_encoding=True)
            for key, value in sent.items():
                conn.putheader(key, value)
            if isinstance(data, bytes):
                conn.putheader("Content-Length", str(len(data)))
            elif chunked:
                conn.putheader("Transfer-Encoding", "chunked")
            conn.endheaders()
            if isinstance(data, bytes):
                conn.send(data)
            elif data is not None:
                for chunk in data:
                    conn.send(f"{len(chunk):X}\r\n".encode() + chunk + b"\r\n")
                conn.send(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading (e.g. 413): its answer may be waiting
        try:
            resp = conn.getresponse()
            payload = resp.read()
        except (http.client.HTTPException, ConnectionResetError, BrokenPipeError) as error:
            return Response(0, {}, f"no HTTP answer: {error!r}".encode())
        pairs = tuple(resp.getheaders())
        merged: dict[str, str] = {}
        for key, value in pairs:
            merged[key.lower()] = f"{merged[key.lower()]}, {value}" if key.lower() in merged else value
        return Response(resp.status, merged, payload, pairs)
    finally:
        conn.close()


class _Page(HTMLParser):
    """Forms, inputs and referenced assets of an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self.assets: list[str] = []
        self._form: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "form":
            self._form = {"method": a.get("method", "get").lower(), "action": a.get("action", ""), "inputs": []}
            self.forms.append(self._form)
        elif tag in ("input", "button") and self._form is not None:
            self._form["inputs"].append(a | {"type": a.get("type", "text" if tag == "input" else "submit").lower()})
        elif tag == "script" and a.get("src"):
            self.assets.append(a["src"])
        elif tag == "link" and a.get("href") and "stylesheet" in a.get("rel", "") + a.get("as", ""):
            self.assets.append(a["href"])
        elif tag == "img" and a.get("src") and not a["src"].startswith("data:"):
            self.assets.append(a["src"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


def _page(text: str) -> _Page:
    parser = _Page()
    parser.feed(text)
    return parser


def _is_error(body: Any) -> bool:
    return isinstance(body, dict) and isinstance(body.get("error"), str) and bool(body["error"])


def _not_found(body: Any) -> bool:
    return isinstance(body, dict) and body.get("error") == "not found"


def _has_errors(*fields: str) -> Callable[[Any], bool]:
    """A 422 body ``{"errors": {field: [message, …]}}`` naming one of ``fields`` (any field when none)."""

    def test(body: Any) -> bool:
        errors = body.get("errors") if isinstance(body, dict) else None
        if not isinstance(errors, dict) or not errors:
            return False
        names = fields or tuple(errors)
        return any(
            isinstance(errors.get(f), list) and errors[f] and all(isinstance(m, str) for m in errors[f]) for f in names
        )

    return test


def _timestamp(value: Any) -> datetime | None:
    """An ISO 8601 timestamp with a time zone, or None."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _is_item(value: Any, name: str | None = None) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("id"), int)
        and not isinstance(value.get("id"), bool)
        and isinstance(value.get("name"), str)
        and _timestamp(value.get("created_at")) is not None
        and (name is None or value["name"] == name)
    )


def _links(header: str) -> dict[str, dict[str, str]]:
    """rel → query of its target, from an RFC 8288 ``Link`` header."""
    found = {}
    for target, rel in _LINK.findall(header or ""):
        parts = urllib.parse.urlsplit(target)
        query = dict(urllib.parse.parse_qsl(parts.query))
        found[rel.strip()] = query | {"_path": parts.path, "_absolute": "yes" if parts.netloc else ""}
    return found


@dataclass
class _Audit:
    """Rules every response must follow, collected over all requests of a run."""

    forbid_hsts: bool
    observed: list[tuple[str, str, int]] = field(default_factory=list)  # (method, path, status)
    responses: int = 0
    headers: list[str] = field(default_factory=list)
    hsts: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    traces: list[str] = field(default_factory=list)

    def see(self, what: str, resp: Response) -> None:
        self.responses += 1
        method, _, path = what.partition(" ")
        self.observed.append((method, path.split("?")[0], resp.status))
        h = resp.headers
        problems = []
        if h.get("x-content-type-options", "").strip().lower() != "nosniff":
            problems.append("no X-Content-Type-Options: nosniff")
        policy = h.get("referrer-policy", "").lower().replace(" ", "").split(",")[-1]
        if policy not in _STRICT_REFERRER:
            problems.append(f"Referrer-Policy {h.get('referrer-policy')!r}")
        csp = h.get("content-security-policy", "").lower()
        if h.get("x-frame-options", "").strip().upper() != "DENY" and "frame-ancestors 'none'" not in csp:
            problems.append("framing not denied")
        if problems and resp.status:
            self.headers.append(f"{what} → {resp.status}: {', '.join(problems)}")
        if self.forbid_hsts and "strict-transport-security" in h:
            self.hsts.append(f"{what} → {resp.status}")
        if resp.status >= 500 or resp.status == 0:
            self.errors.append(f"{what} → {resp.status or resp.text()}")
        if _TRACE.search(resp.text()):
            self.traces.append(f"{what} → {resp.status}")

    def checks(self) -> list[Check]:
        def listed(items: list[str]) -> str:
            return "; ".join(items[:8]) + (f" (and {len(items) - 8} more)" if len(items) > 8 else "")

        found = [
            Check(
                f"security headers on every response ({self.responses} responses)",
                not self.headers,
                listed(self.headers),
            ),
            Check("no 5xx and no dropped connection for any request", not self.errors, listed(self.errors)),
            Check("no stack trace in any response", not self.traces, listed(self.traces)),
        ]
        if self.forbid_hsts:
            found.insert(
                1,
                Check(
                    "no Strict-Transport-Security without BEHIND_PROXY (even with X-Forwarded-Proto: https)",
                    not self.hsts,
                    listed(self.hsts),
                ),
            )
        return found


@dataclass
class _Run:
    base_url: str
    audit: _Audit
    default_headers: dict[str, str] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    secrets_used: set[str] = field(default_factory=set)

    def call(
        self,
        method: str,
        path: str,
        body: object | None = None,
        token: str | None = None,
        headers: Mapping[str, str] | None = None,
        raw: bytes | Iterable[bytes] | None = None,
        proxied: bool = True,
    ) -> Response:
        sent = (self.default_headers if proxied else {}) | dict(headers or {})
        if token:
            self.secrets_used.add(token)
        resp = request(self.base_url, method, path, body, token, 30.0, sent, raw)
        self.audit.see(f"{method} {path}", resp)
        return resp

    def ok(self, name: str, passed: bool, detail: str = "") -> bool:
        self.checks.append(Check(name, passed, "" if passed else detail))
        return passed

    def check(
        self,
        name: str,
        resp: Response,
        status: int | tuple[int, ...],
        test: Callable[[Any], bool] | None = None,
        headers: Callable[[dict[str, str]], str] | None = None,
    ) -> Any:
        """Record whether ``resp`` has ``status``, a JSON body passing ``test`` and headers ``headers`` accepts.

        ``headers`` returns a problem ("" when fine). Returns the parsed body (None when not JSON).
        """
        wanted = status if isinstance(status, tuple) else (status,)
        payload: Any = None
        problem = ""
        try:
            payload = resp.json()
        except ValueError:
            payload = None
        if resp.status not in wanted:
            problem = f"expected HTTP {'/'.join(map(str, wanted))}, got {resp.status}: {resp.body[:300]!r}"
        elif test is not None and payload is None:
            problem = f"body is not JSON: {resp.body[:300]!r}"
        elif test is not None and not test(payload):
            problem = f"unexpected body: {payload!r:.300}"
        elif headers is not None:
            problem = headers(resp.headers)
        self.ok(name, not problem, problem)
        return payload


def _bearer_challenge(headers: dict[str, str]) -> str:
    if "bearer" in headers.get("www-authenticate", "").lower():
        return ""
    return f"no WWW-Authenticate: Bearer (got {headers.get('www-authenticate')!r})"


# ------------------------------------------------------------------------------------------ main boot


def run_contract(
    base_url: str,
    *,
    project_name: str,
    database: bool,
    auth: bool,
    admin: bool,
    admin_credentials: tuple[str, str] | None = None,
    read_log: Callable[[], str] | None = None,
    observed: list[tuple[str, str, int]] | None = None,
) -> list[Check]:
    """Probe the main boot (started with :data:`MAIN_ENV`) and return every check that applies.

    ``observed`` (when given) receives (method, path, status) of every answer, for the fuzz step.
    """
    run = _Run(base_url, _Audit(forbid_hsts=True, observed=observed if observed is not None else []))
    _basics(run, project_name, database)
    token = _auth_checks(run) if auth else None
    if database:
        _request_shape_checks(run, token)
        _item_checks(run, token)
        _pagination_checks(run, token)
    _unknown_path_checks(run, token)
    _cors_checks(run, "/api/items" if database else "/health", "POST" if database else "GET")
    _openapi_checks(run, database, auth)
    if admin:
        _admin_checks(run, admin_credentials)
    if read_log is not None:
        _log_checks(run, read_log)
    return run.checks + run.audit.checks()


def _basics(run: _Run, project_name: str, database: bool) -> None:
    health_ok = {"status": "ok", "database": "ok"} if database else {"status": "ok"}
    run.check(
        "GET /health → 200 " + json.dumps(health_ok) + " with Cache-Control: no-store",
        run.call("GET", "/health"),
        200,
        lambda b: isinstance(b, dict) and all(b.get(k) == v for k, v in health_ok.items()),
        lambda h: "" if "no-store" in h.get("cache-control", "") else f"Cache-Control {h.get('cache-control')!r}",
    )
    home = run.call("GET", "/", headers={"Accept": "text/html"})
    names_project = project_name.lower() in home.text().lower().replace(" ", "-")
    run.ok(
        "GET / → 200 HTML naming the project",
        home.status == 200 and "text/html" in home.headers.get("content-type", "") and names_project,
        f"HTTP {home.status}, {home.headers.get('content-type')}, names the project: {names_project}",
    )
    run.check(
        "GET / with X-Forwarded-Proto: https → 200 (not trusted: no redirect, no HSTS)",
        run.call("GET", "/", headers={"Accept": "text/html", "X-Forwarded-Proto": "https"}),
        200,
    )
    wrong_method = ("PUT", "/api/items") if database else ("POST", "/health")
    run.check(
        f"{' '.join(wrong_method)} → 405 {{error}} with Allow",
        run.call(*wrong_method, body={"name": "x"}, token=None),
        405,
        _is_error,
        lambda h: "" if "GET" in h.get("allow", "").upper() else f"Allow {h.get('allow')!r}",
    )


def _unknown_path_checks(run: _Run, token: str | None) -> None:
    marker = secrets.token_hex(4)
    for path in (f"/no-such-page-{marker}", f"/api/no-such-thing-{marker}"):
        run.check(f"GET {path} → 404 {{error: not found}}", run.call("GET", path), 404, _not_found)
    run.check(
        "unknown path with a bogus token → 404",
        run.call("GET", f"/api/no-such-thing-{marker}", token="bogus-" + marker),
        404,
        _not_found,
    )
    if token:
        run.check("unknown path with a valid token → 404", run.call("GET", f"/api/nothing-{marker}", token=token), 404)


def _register(run: _Run, email: str, password: str, headers: Mapping[str, str] | None = None) -> Response:
    run.secrets_used.add(password)
    return run.call("POST", "/api/auth/register", {"email": email, "password": password}, headers=headers)


def _login(run: _Run, email: str, password: str, headers: Mapping[str, str] | None = None) -> Response:
    run.secrets_used.add(password)
    return run.call("POST", "/api/auth/login", {"email": email, "password": password}, headers=headers)


def _json(resp: Response) -> Any:
    """The body as JSON, or None."""
    try:
        return resp.json()
    except ValueError:
        return None


def _wrong() -> str:
    """A wrong password, random so that finding it in a log means the password itself was logged."""
    return f"wrong-{secrets.token_hex(6)}"


def _token_of(resp: Response) -> str | None:
    body = _json(resp)
    token = body.get("token") if isinstance(body, dict) else None
    return token if isinstance(token, str) and token else None


def _login_answer(ttl: int, slack: float) -> Callable[[Any], bool]:
    """A login answer ``{"token": ≥ 43 characters, "expires_at": ≈ now + ttl, with a time zone}``."""

    def test(body: Any) -> bool:
        if not isinstance(body, dict) or not isinstance(body.get("token"), str) or len(body["token"]) < 43:
            return False
        expires = _timestamp(body.get("expires_at"))
        return expires is not None and abs(expires.timestamp() - (time.time() + ttl)) <= slack

    return test


def _auth_checks(run: _Run) -> str | None:
    tag = secrets.token_hex(4)
    email = f"contract-{tag}@example.com"
    password = f"correct horse {secrets.token_hex(6)}"
    run.check(
        "POST /api/auth/register → 201 {email} trimmed and lower-cased",
        _register(run, f"  Contract-{tag}@Example.COM ", password),
        201,
        lambda b: isinstance(b, dict) and b.get("email") == email and "password" not in json.dumps(b).lower(),
    )
    for what, body, field_name in (
        ("duplicate email in another case", {"email": email.upper(), "password": password}, "email"),
        ("bad email", {"email": "not-an-email", "password": password}, "email"),
        ("7-character password", {"email": f"x{email}", "password": "x" * 7}, "password"),
        ("129-character password", {"email": f"x{email}", "password": "x" * 129}, "password"),
        ("missing fields", {}, ""),
        ("non-string email", {"email": 5, "password": password}, "email"),
    ):
        run.check(
            f"register {what} → 422",
            run.call("POST", "/api/auth/register", body),
            422,
            _has_errors(*(field_name,) if field_name else ()),
        )
    run.check(
        "register an 8-character password → 201",
        _register(run, f"eight-{tag}@example.com", f"8c{secrets.token_hex(3)}"),
        201,
    )
    wrong = {"error": "invalid email or password"}
    run.check("login wrong password → 401 " + json.dumps(wrong), _login(run, email, _wrong()), 401, wrong.__eq__)
    run.check(
        "login unknown email → 401 " + json.dumps(wrong),
        _login(run, f"nobody-{tag}@example.com", password),
        401,
        wrong.__eq__,
    )
    run.check("login missing password → 422", run.call("POST", "/api/auth/login", {"email": email}), 422, _has_errors())
    run.check(
        "login non-string password → 422",
        run.call("POST", "/api/auth/login", {"email": email, "password": 12345678}),
        422,
        _has_errors(),
    )
    first = _login(run, email, password)
    run.check(
        f"POST /api/auth/login → 200 {{token ≥ 43 chars, expires_at ≈ now + {DEFAULT_TOKEN_TTL}s}}",
        first,
        200,
        _login_answer(DEFAULT_TOKEN_TTL, 600),
    )
    token = _token_of(first)
    second_resp = _login(run, email.upper(), password)
    run.check("login with the email in another case → 200", second_resp, 200, lambda b: isinstance(b, dict))
    other = _token_of(second_resp)
    run.ok("each login gets a different token", bool(token and other and token != other), f"{token!r} / {other!r}")
    run.check(
        "GET /api/auth/me without token → 401 with WWW-Authenticate: Bearer",
        run.call("GET", "/api/auth/me"),
        401,
        _is_error,
        _bearer_challenge,
    )
    for what, value in (
        ("an unknown token", "x" * 43),
        ("an empty bearer", "Bearer "),
        ("a Basic credential", "Basic dXNlcjpwYXNz"),
    ):
        header = value if value.startswith(("Bearer", "Basic")) else f"Bearer {value}"
        run.check(
            f"GET /api/auth/me with {what} → 401",
            run.call("GET", "/api/auth/me", headers={"Authorization": header}),
            401,
            _is_error,
        )
    if token is None:
        return None
    run.check(
        "GET /api/auth/me → 200 {email}",
        run.call("GET", "/api/auth/me", token=token),
        200,
        lambda b: isinstance(b, dict) and b.get("email") == email,
    )
    run.check("POST /api/auth/logout without token → 401", run.call("POST", "/api/auth/logout"), 401, _is_error)
    if other:
        out = run.call("POST", "/api/auth/logout", token=other)
        run.ok(
            "POST /api/auth/logout → 204 empty",
            out.status == 204 and not out.body,
            f"HTTP {out.status} {out.body[:200]!r}",
        )
        run.check("revoked token → 401 on /api/auth/me", run.call("GET", "/api/auth/me", token=other), 401, _is_error)
        run.check(
            "revoked token → 401 on POST /api/items",
            run.call("POST", "/api/items", {"name": "x"}, token=other),
            401,
        )
        run.check("only the logged-out token stops working", run.call("GET", "/api/auth/me", token=token), 200)
    _timing_check(run, email)
    return token


def _timing_check(run: _Run, email: str) -> None:
    """Wrong password for a known email and for an unknown one: same time, within wide margins."""
    known: list[float] = []
    unknown: list[float] = []
    for index in range(7):
        for sample, who in ((known, email), (unknown, f"ghost-{index}-{secrets.token_hex(3)}@example.com")):
            started = time.perf_counter()
            _login(run, who, _wrong())
            sample.append(time.perf_counter() - started)
    a, b = statistics.median(known), statistics.median(unknown)
    ratio = max(a, b) / max(min(a, b), 1e-6)
    run.ok(
        "login takes the same time for an unknown email (medians of 7)",
        ratio <= 3 or abs(a - b) <= 0.05,
        f"median {a * 1000:.0f} ms for a known email, {b * 1000:.0f} ms for an unknown one",
    )


def _request_shape_checks(run: _Run, token: str | None) -> None:
    json_type = {"Content-Type": "application/json"}
    big = b'{"name": "' + b"x" * MAX_BODY + b'"}'
    run.check(
        "POST /api/items over 1 MiB (Content-Length) → 413 {error}",
        run.call("POST", "/api/items", token=token, headers=json_type, raw=big),
        413,
        _is_error,
    )
    run.check(
        "POST /api/items over 1 MiB (chunked) → 413 {error}",
        run.call(
            "POST",
            "/api/items",
            token=token,
            headers=json_type,
            raw=(big[i : i + 65536] for i in range(0, len(big), 65536)),
        ),
        413,
        _is_error,
    )
    run.check(
        "POST /api/items malformed JSON → 400 {error}",
        run.call("POST", "/api/items", token=token, headers=json_type, raw=b'{"name": '),
        400,
        _is_error,
    )
    run.check(
        "POST /api/items text/plain → 415 {error}",
        run.call("POST", "/api/items", token=token, headers={"Content-Type": "text/plain"}, raw=b"name=x"),
        415,
        _is_error,
    )
    for what, body in (("a JSON array", [{"name": "x"}]), ("a JSON string", "x")):
        run.check(
            f"POST /api/items {what} → 422 {{errors}}",
            run.call("POST", "/api/items", body, token),
            422,
            _has_errors(),
        )
    if token is not None:
        for path in ("/api/auth/register", "/api/auth/login"):
            run.check(
                f"POST {path} over 1 MiB → 413 {{error}}",
                run.call("POST", path, headers=json_type, raw=big),
                413,
                _is_error,
            )
        run.check(
            "POST /api/auth/login malformed JSON → 400 {error}",
            run.call("POST", "/api/auth/login", headers=json_type, raw=b'{"email": "a@b.c", '),
            400,
            _is_error,
        )
        run.check(
            "POST /api/auth/login a JSON array → 422 {errors}",
            run.call("POST", "/api/auth/login", ["a@b.c", "password"]),
            422,
            _has_errors(),
        )


def _item_checks(run: _Run, token: str | None) -> None:
    name = f"contract item {secrets.token_hex(3)}"
    if token is not None:
        run.check("POST /api/items without token → 401", run.call("POST", "/api/items", {"name": name}), 401, _is_error)
        run.check(
            "POST /api/items with a bogus token → 401",
            run.call("POST", "/api/items", {"name": name}, token="y" * 43),
            401,
            _is_error,
            _bearer_challenge,
        )
    resp = run.call("POST", "/api/items", {"name": f"  {name}\t", "extra": "ignored"}, token)
    created = run.check(
        "POST /api/items → 201 item, name trimmed, unknown fields ignored, created_at with time zone",
        resp,
        201,
        lambda b: _is_item(b, name),
    )
    if _is_item(created):
        location = urllib.parse.urlsplit(resp.headers.get("location", "")).path
        run.ok(
            "POST /api/items → Location: /api/items/<id>",
            location == f"/api/items/{created['id']}",
            f"Location {resp.headers.get('location')!r}",
        )
    run.check(
        "POST /api/items 200 characters after trimming → 201",
        run.call("POST", "/api/items", {"name": " " + "n" * 200 + " "}, token),
        201,
        lambda b: _is_item(b, "n" * 200),
    )
    for what, body in (
        ("empty name", {"name": ""}),
        ("whitespace-only name", {"name": " \t "}),
        ("201-character name", {"name": "x" * 201}),
        ("missing name", {}),
        ("non-string name", {"name": 5}),
        ("null name", {"name": None}),
    ):
        run.check(
            f"POST /api/items {what} → 422", run.call("POST", "/api/items", body, token), 422, _has_errors("name")
        )
    if not _is_item(created):
        return
    path = f"/api/items/{created['id']}"
    run.check(f"GET {path} → 200 item", run.call("GET", path), 200, lambda b: _is_item(b, name))
    for bad in ("abc", "0", "-1", "1.5", "99999999999999999999", "999999999"):
        run.check(f"GET /api/items/{bad} → 404", run.call("GET", f"/api/items/{bad}"), 404, _not_found)
        run.check(
            f"DELETE /api/items/{bad} → 404", run.call("DELETE", f"/api/items/{bad}", token=token), 404, _not_found
        )
    if token is not None:
        run.check(f"DELETE {path} without token → 401", run.call("DELETE", path), 401, _is_error)
    deleted = run.call("DELETE", path, token=token)
    run.ok(f"DELETE {path} → 204 empty", deleted.status == 204 and not deleted.body, f"HTTP {deleted.status}")
    run.check(f"GET {path} after delete → 404", run.call("GET", path), 404, _not_found)
    run.check(f"DELETE {path} again → 404", run.call("DELETE", path, token=token), 404, _not_found)


def _pagination_checks(run: _Run, token: str | None) -> None:
    created = []
    for index in range(5):
        resp = run.call("POST", "/api/items", {"name": f"page item {index}"}, token)
        body: Any = _json(resp) if resp.status == 201 else None
        if _is_item(body):
            created.append(body["id"])
    if not run.ok("five items created for the pagination checks", len(created) == 5, f"created {len(created)}"):
        return
    first = run.call("GET", "/api/items?page=1&per_page=2")
    total_header = first.headers.get("x-total-count", "")
    if not run.ok("GET /api/items → X-Total-Count", total_header.isdigit(), f"X-Total-Count {total_header!r}"):
        return
    total = int(total_header)
    last = max(1, math.ceil(total / 2))

    def page_check(page: int, want_prev: bool, want_next: bool) -> list[int]:
        resp = first if page == 1 else run.call("GET", f"/api/items?page={page}&per_page=2")
        body = _json(resp) if resp.status == 200 else None
        ids = [i["id"] for i in body] if isinstance(body, list) and all(_is_item(i) for i in body) else []
        links = _links(resp.headers.get("link", ""))
        problems = []
        if resp.status != 200 or not isinstance(body, list):
            problems.append(f"HTTP {resp.status}")
        elif len(body) != min(2, total - (page - 1) * 2) or ids != sorted(ids):
            problems.append(f"ids {ids} (total {total})")
        if resp.headers.get("x-total-count") != str(total):
            problems.append(f"X-Total-Count {resp.headers.get('x-total-count')!r}")
        for rel, wanted, target in (("next", want_next, page + 1), ("prev", want_prev, page - 1)):
            link = links.get(rel)
            if not wanted and link is not None:
                problems.append(f"unexpected rel={rel}")
            elif wanted and (
                link is None
                or link.get("page") != str(target)
                or link.get("per_page") != "2"
                or link["_path"] != "/api/items"
                or link["_absolute"]
            ):
                problems.append(f"rel={rel} should be </api/items?page={target}&per_page=2>, got {link}")
        run.ok(
            f"GET /api/items?page={page}&per_page=2 → {min(2, total - (page - 1) * 2)} items by id, Link "
            + (" and ".join(r for r, w in (("prev", want_prev), ("next", want_next)) if w) or "none"),
            not problems,
            "; ".join(problems) + f" (Link: {resp.headers.get('link')!r})",
        )
        return ids

    one = page_check(1, False, last > 1)
    two = page_check(2, True, last > 2)
    end = page_check(last, last > 1, False) if last > 2 else two
    run.ok("pages follow each other in id order", bool(one and two) and one[-1] < two[0], f"{one} then {two}")
    run.ok("the newest item is last on the last page", bool(end) and end[-1] == created[-1], f"{end} vs {created}")
    run.check(
        f"GET /api/items?page={last + 1}&per_page=2 (past the end) → 200 []",
        run.call("GET", f"/api/items?page={last + 1}&per_page=2"),
        200,
        lambda b: b == [],
    )
    run.check(
        "GET /api/items (defaults) → page 1 of 20",
        run.call("GET", "/api/items"),
        200,
        lambda b: isinstance(b, list) and len(b) == min(20, total),
    )
    run.check(
        "GET /api/items?per_page=100 → 200",
        run.call("GET", "/api/items?per_page=100"),
        200,
        lambda b: isinstance(b, list) and len(b) == min(100, total),
    )
    for param, values in (("page", ("0", "-1", "abc", "1.5", "")), ("per_page", ("0", "101", "-1", "abc", "1.5", ""))):
        for value in values:
            run.check(
                f"GET /api/items?{param}={value} → 422 {{errors: {param}}}",
                run.call("GET", f"/api/items?{param}={value}"),
                422,
                _has_errors(param),
            )


def _cors_checks(run: _Run, path: str, method: str) -> None:
    for origin in ALLOWED_ORIGINS:
        resp = run.call("GET", path, headers={"Origin": origin})
        vary = [v.strip().lower() for v in resp.headers.get("vary", "").split(",")]
        run.ok(
            f"CORS: GET {path} from {origin} → Access-Control-Allow-Origin and Vary: Origin",
            resp.headers.get("access-control-allow-origin") == origin
            and "origin" in vary
            and "access-control-allow-credentials" not in resp.headers,
            f"ACAO {resp.headers.get('access-control-allow-origin')!r}, Vary {resp.headers.get('vary')!r}, "
            f"credentials {resp.headers.get('access-control-allow-credentials')!r}",
        )
    preflight_headers = {
        "Origin": ALLOWED_ORIGINS[0],
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    pre = run.call("OPTIONS", path, headers=preflight_headers)
    methods = pre.headers.get("access-control-allow-methods", "").upper()
    allowed = pre.headers.get("access-control-allow-headers", "").lower()
    run.ok(
        f"CORS preflight {method} {path} → 204/200 allowing the method, Authorization and Content-Type",
        pre.status in (200, 204)
        and pre.headers.get("access-control-allow-origin") == ALLOWED_ORIGINS[0]
        and method in methods
        and "authorization" in allowed
        and "content-type" in allowed,
        f"HTTP {pre.status}, {dict((k, v) for k, v in pre.headers.items() if k.startswith('access-control'))}",
    )
    for what, headers in (
        ("GET", {"Origin": FOREIGN_ORIGIN}),
        ("preflight", preflight_headers | {"Origin": FOREIGN_ORIGIN}),
    ):
        resp = run.call("OPTIONS" if what == "preflight" else "GET", path, headers=headers)
        leaked = [k for k in resp.headers if k.startswith("access-control-")]
        run.ok(f"CORS: {what} from a foreign origin → no Access-Control-* header", not leaked, f"got {leaked}")


def _expected_operations(database: bool, auth: bool) -> dict[tuple[str, str], tuple[set[str], bool]]:
    """(method, path) → (status codes it must document, whether it needs the bearer scheme)."""
    ops: dict[tuple[str, str], tuple[set[str], bool]] = {}
    if database:
        ops[("get", "/api/items")] = ({"200", "422"}, False)
        ops[("post", "/api/items")] = ({"201", "422"} | ({"401"} if auth else set()), auth)
        ops[("get", "/api/items/{}")] = ({"200", "404"}, False)
        ops[("delete", "/api/items/{}")] = ({"204", "404"} | ({"401"} if auth else set()), auth)
    if auth:
        ops[("post", "/api/auth/register")] = ({"201", "422", "429"}, False)
        ops[("post", "/api/auth/login")] = ({"200", "401", "422", "429"}, False)
        ops[("get", "/api/auth/me")] = ({"200", "401"}, True)
        ops[("post", "/api/auth/logout")] = ({"204", "401"}, True)
    return ops


def _openapi_checks(run: _Run, database: bool, auth: bool) -> None:
    body = run.check(
        "GET /openapi.json → 200 OpenAPI 3 document",
        run.call("GET", "/openapi.json"),
        200,
        lambda b: (
            isinstance(b, dict) and str(b.get("openapi", "")).startswith("3.") and isinstance(b.get("paths"), dict)
        ),
    )
    if isinstance(body, dict) and isinstance(body.get("paths"), dict):
        paths = {re.sub(r"\{[^}]*\}", "{}", p): v for p, v in body["paths"].items() if isinstance(v, dict)}
        schemes = (body.get("components") or {}).get("securitySchemes") or {}
        bearer = {
            name
            for name, s in schemes.items()
            if isinstance(s, dict) and s.get("type") == "http" and str(s.get("scheme", "")).lower() == "bearer"
        }
        global_security = body.get("security")
        missing, undocumented, unprotected = [], [], []
        for (method, path), (codes, protected) in _expected_operations(database, auth).items():
            op = paths.get(path, {}).get(method)
            if not isinstance(op, dict):
                missing.append(f"{method.upper()} {path}")
                continue
            documented = {str(c) for c in (op.get("responses") or {})}
            if codes - documented:
                undocumented.append(f"{method.upper()} {path}: {sorted(codes - documented)}")
            security = op.get("security", global_security) or []
            names = {n for req in security if isinstance(req, dict) for n in req}
            if protected and not names & bearer:
                unprotected.append(f"{method.upper()} {path}")
        run.ok("OpenAPI documents every /api operation", not missing, f"missing {missing}")
        run.ok("OpenAPI documents the statuses each operation answers", not undocumented, "; ".join(undocumented))
        if auth:
            run.ok(
                "OpenAPI has an http bearer security scheme on the operations needing a token",
                bool(bearer) and not unprotected,
                f"bearer schemes {sorted(bearer)}, not protected: {unprotected}",
            )
    docs = run.call("GET", "/docs", headers={"Accept": "text/html"})
    if not run.ok(
        "GET /docs → 200 HTML",
        docs.status == 200 and "text/html" in docs.headers.get("content-type", ""),
        f"HTTP {docs.status} {docs.headers.get('content-type')}",
    ):
        return
    base = urllib.parse.urlsplit(run.base_url)
    foreign = [
        u
        for u in re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", docs.text())
        if urllib.parse.urlsplit(u).netloc and urllib.parse.urlsplit(u).netloc != base.netloc
    ]
    run.ok("/docs refers to no other host", not foreign, f"refers to {foreign[:5]}")
    assets = _page(docs.text()).assets
    broken = []
    for asset in assets:
        target = urllib.parse.urlsplit(urllib.parse.urljoin(run.base_url + "/docs", asset))
        if target.netloc != base.netloc:
            continue
        resp = run.call("GET", target.path + (f"?{target.query}" if target.query else ""), headers={"Accept": "*/*"})
        if resp.status != 200:
            broken.append(f"{asset} → {resp.status}")
    run.ok(
        f"every script and stylesheet of /docs answers 200 ({len(assets)} assets)",
        bool(assets) and not broken,
        f"broken: {broken}" if broken else "the page references no script or stylesheet",
    )


# ---------------------------------------------------------------------------------------------- admin


@dataclass
class _Browser:
    """A tiny cookie-keeping client for the admin's HTML forms."""

    run: _Run
    origin: str
    cookies: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def send(self, method: str, path: str, form: Mapping[str, str] | None = None, **extra: str) -> Response:
        headers = {"Accept": "text/html"} | self.headers | dict(extra)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        raw = None
        if form is not None:
            raw = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers.setdefault("Origin", self.origin)
            headers.setdefault("Referer", self.origin + path)
        resp = self.run.call(method, path, headers=headers, raw=raw)
        for name, value, attributes in resp.cookies():
            expired = "max-age=0" in attributes.replace(" ", "") or "expires=thu, 01 jan 1970" in attributes
            if expired or not value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return resp

    def get_following(self, path: str) -> tuple[Response, str]:
        """GET ``path`` following up to five redirects on this host; the final response and its path."""
        resp = self.send("GET", path)
        for _ in range(5):
            if resp.status not in (301, 302, 303, 307, 308) or not resp.headers.get("location"):
                break
            target = urllib.parse.urlsplit(urllib.parse.urljoin(self.origin + path, resp.headers["location"]))
            path = target.path + (f"?{target.query}" if target.query else "")
            resp = self.send("GET", path)
        return resp, path


def _login_form(page: _Page) -> dict[str, Any] | None:
    for form in page.forms:
        if form["method"] == "post" and any(i["type"] == "password" for i in form["inputs"]):
            return form
    return None


def _identity_field(form: dict[str, Any]) -> str | None:
    inputs = [i for i in form["inputs"] if i.get("name")]
    emails = [str(i["name"]) for i in inputs if i["type"] == "email"]
    named = [
        str(i["name"]) for i in inputs if i["type"] == "text" and i["name"].lower() in ("email", "username", "login")
    ]
    found = emails or named
    return found[0] if found else None


def _form_fields(form: dict[str, Any], hidden: bool = True) -> dict[str, str]:
    return {
        str(i["name"]): str(i.get("value", ""))
        for i in form["inputs"]
        if hidden and i["type"] == "hidden" and i.get("name")
    }


def _action(form: dict[str, Any], page_path: str) -> str:
    action = str(form["action"] or page_path)
    target = urllib.parse.urlsplit(urllib.parse.urljoin("http://host" + page_path, action))
    return target.path + (f"?{target.query}" if target.query else "")


def _logged_in(browser: _Browser) -> bool:
    resp = browser.send("GET", "/admin/")
    return resp.status == 200 and _login_form(_page(resp.text())) is None


@dataclass
class _AdminSession:
    browser: _Browser
    login_response: Response
    page: Response


def _admin_login(run: _Run, credentials: tuple[str, str], origin: str, prefix: str) -> _AdminSession | None:
    """The generic form login of the admin; records its checks under ``prefix``. None when it fails."""
    email, password = credentials
    run.secrets_used.add(password)

    def fresh_form() -> tuple[_Browser, dict[str, Any] | None, str]:
        browser = _Browser(run, origin)
        resp, path = browser.get_following("/admin/")
        form = _login_form(_page(resp.text()))
        if form is None and resp.status in (401, 403):
            resp, path = browser.get_following("/admin/login")
            form = _login_form(_page(resp.text()))
        return browser, form, path

    browser, form, path = fresh_form()
    if not run.ok(f"{prefix}admin login page has a POST form with a password field", form is not None, f"at {path}"):
        return None
    assert form is not None
    identity = _identity_field(form)
    password_field = next(i["name"] for i in form["inputs"] if i["type"] == "password")
    hidden = _form_fields(form)
    if not run.ok(
        f"{prefix}admin login form has an email/username field and a hidden CSRF field",
        identity is not None and bool(hidden),
        f"inputs {[(i.get('name'), i['type']) for i in form['inputs']]}",
    ):
        return None
    assert identity is not None
    action = _action(form, path)
    good = hidden | {identity: email, password_field: password}
    if not prefix:  # the CSRF refusals are the main boot's; production only checks cookies
        for what, fields, extra in (
            ("without its CSRF field", {identity: email, password_field: password}, {}),
            (
                f"from Origin {FOREIGN_ORIGIN} without its CSRF field",
                {identity: email, password_field: password},
                {"Origin": FOREIGN_ORIGIN, "Referer": FOREIGN_ORIGIN + "/"},
            ),
        ):
            attacker, _, _ = fresh_form()
            refused = attacker.send("POST", action, fields, **extra)
            run.ok(
                f"admin login POST {what} → 400/403, no session",
                refused.status in (400, 403) and not _logged_in(attacker),
                f"HTTP {refused.status}",
            )
    done = browser.send("POST", action, good)
    page = browser.send("GET", "/admin/")
    if not run.ok(
        f"{prefix}create-admin user logs in to the admin through its login form",
        done.status in (200, 302, 303) and page.status == 200 and _login_form(_page(page.text())) is None,
        f"login POST → {done.status}, then GET /admin/ → {page.status}",
    ):
        return None
    return _AdminSession(browser, done, page)


def _session_cookies(resp: Response) -> list[tuple[str, str, str]]:
    return [c for c in resp.cookies() if c[1] and not re.search("csrf|xsrf", c[0], re.IGNORECASE)]


def _cookie_flags(cookies: list[tuple[str, str, str]], secure: bool) -> str:
    problems = []
    for name, _, attributes in cookies:
        parts = {p.strip().split("=")[0]: p.strip() for p in attributes.split(";") if p.strip()}
        if "httponly" not in parts:
            problems.append(f"{name} not HttpOnly")
        if parts.get("samesite", "").replace(" ", "") not in ("samesite=lax", "samesite=strict"):
            problems.append(f"{name} {parts.get('samesite', 'no SameSite')}")
        if secure and "secure" not in parts:
            problems.append(f"{name} not Secure")
    return "; ".join(problems) if cookies else "the login set no session cookie"


def _admin_checks(run: _Run, credentials: tuple[str, str] | None) -> None:
    resp = run.call("GET", "/admin/", headers={"Accept": "text/html"})
    location = resp.headers.get("location", "")
    ok = (resp.status in (302, 303) and "login" in location.lower()) or resp.status in (401, 403)
    run.ok("GET /admin/ anonymous → redirect to the login page or 401/403", ok, f"HTTP {resp.status} {location!r}")
    if credentials is None:
        return
    run.check(
        "create-admin user can log in to /api/auth/login",
        _login(run, *credentials),
        200,
        lambda b: isinstance(b, dict) and isinstance(b.get("token"), str),
    )
    session = _admin_login(run, credentials, run.base_url, "")
    if session is None:
        return
    problems = _cookie_flags(_session_cookies(session.login_response), secure=False)
    run.ok("admin session cookie HttpOnly and SameSite=Lax/Strict", not problems, problems)
    browser = session.browser
    logout = next(
        (f for f in _page(session.page.text()).forms if f["method"] == "post" and "logout" in f["action"]), None
    )
    if not run.ok("the admin page has a POST logout form", logout is not None, "no <form method=post action=…logout…>"):
        return
    assert logout is not None
    action = _action(logout, "/admin/")
    browser.send("GET", action)
    run.ok("GET on the admin logout URL does not log out", _logged_in(browser), "the session ended")
    forged = browser.send("POST", action, {}, Origin=FOREIGN_ORIGIN, Referer=FOREIGN_ORIGIN + "/")
    run.ok(
        "cross-origin admin logout POST without CSRF field → refused, session kept",
        forged.status in (400, 403) and _logged_in(browser),
        f"HTTP {forged.status}, still logged in: {_logged_in(browser)}",
    )
    out = browser.send("POST", action, _form_fields(logout))
    run.ok(
        "admin logout POST with its CSRF field ends the session",
        out.status < 400 and not _logged_in(browser),
        f"HTTP {out.status}",
    )


# ------------------------------------------------------------------------------------------------ log


def _log_checks(run: _Run, read_log: Callable[[], str]) -> None:
    marker, query = f"contract-marker-{secrets.token_hex(4)}", secrets.token_hex(8)
    run.call("GET", f"/api/{marker}?q={query}")
    pattern = re.compile(
        rf"GET\b.*/api/{marker}(?![?\w-]).*\b404\b.*\d(?:\.\d+)?\s?ms\b|"
        rf"GET\b.*/api/{marker}(?![?\w-]).*\d(?:\.\d+)?\s?ms\b.*\b404\b"
    )
    deadline = time.monotonic() + LOG_WAIT_SECONDS
    log = read_log()
    while not pattern.search(log) and time.monotonic() < deadline:
        time.sleep(0.25)
        log = read_log()
    line = next((ln for ln in log.splitlines() if marker in ln), None)
    run.ok(
        "one access-log line per request: method, path, status, duration in ms",
        bool(pattern.search(log)),
        f"marker line: {line!r}" if line else f"no line with {marker} in the server's output",
    )
    leaked = [s for s in (query, *run.secrets_used) if s and s in log]
    run.ok(
        "no query string, password or token in the server's output",
        not leaked,
        f"found {len(leaked)} of them, e.g. {leaked[0][:6]}…" if leaked else "",
    )


# ------------------------------------------------------------------------------------ production boot


def _client(n: int) -> dict[str, str]:
    return {"X-Forwarded-For": f"203.0.113.{n}"}


def run_production(
    base_url: str,
    *,
    database: bool,
    auth: bool,
    admin: bool,
    admin_credentials: tuple[str, str] | None = None,
    token_ttl: int = PRODUCTION_TOKEN_TTL,
    rate_limit: int = DEFAULT_RATE_LIMIT,
    observed: list[tuple[str, str, int]] | None = None,
) -> list[Check]:
    """Probe the production boot as a TLS-terminating proxy would (docs/contract.md, "How verify probes it")."""
    proxy = {"Host": PRODUCTION_HOST, "X-Forwarded-Proto": "https"} | _client(10)
    run = _Run(base_url, _Audit(forbid_hsts=False, observed=observed if observed is not None else []), proxy)
    direct = run.call("GET", "/health", proxied=False)
    run.check(
        "GET /health on 127.0.0.1 without proxy headers → 200, no redirect",
        direct,
        200,
        lambda b: isinstance(b, dict) and b.get("status") == "ok",
    )
    run.check("GET /health through the proxy → 200", run.call("GET", "/health"), 200)
    home = run.call("GET", "/", headers={"Accept": "text/html"})
    hsts = home.headers.get("strict-transport-security", "")
    age = re.search(r"max-age=(\d+)", hsts)
    run.ok(
        "HSTS on a request that came over https through the proxy",
        home.status == 200 and bool(age) and int(age.group(1) if age else 0) > 0,
        f"HTTP {home.status}, Strict-Transport-Security {hsts!r}",
    )
    for what, headers, proxied in (
        ("X-Forwarded-Proto: http", {"X-Forwarded-Proto": "http"}, True),
        ("no proxy headers", {}, False),
    ):
        resp = run.call("GET", "/", headers={"Accept": "text/html"} | headers, proxied=proxied)
        run.ok(
            f"no HSTS with {what}",
            "strict-transport-security" not in resp.headers,
            f"HTTP {resp.status} with Strict-Transport-Security",
        )
    run.check(
        "unknown path → 404 {error: not found} in production",
        run.call("GET", f"/api/no-such-thing-{secrets.token_hex(3)}"),
        404,
        _not_found,
    )
    path = "/api/items" if database else "/health"
    for what, method, headers in (
        ("GET", "GET", {"Origin": ALLOWED_ORIGINS[0]}),
        (
            "preflight",
            "OPTIONS",
            {"Origin": ALLOWED_ORIGINS[0], "Access-Control-Request-Method": "GET"},
        ),
    ):
        resp = run.call(method, path, headers=headers)
        leaked = [k for k in resp.headers if k.startswith("access-control-")]
        run.ok(f"no CORS headers by default ({what} {path})", not leaked, f"got {leaked}")
    if auth:
        _rate_limit_checks(run, rate_limit)
        _expiry_check(run, token_ttl)
    if admin and admin_credentials is not None:
        browser_headers = proxy | _client(51)
        run.default_headers = browser_headers
        session = _admin_login(run, admin_credentials, f"https://{PRODUCTION_HOST}", "through the proxy: ")
        if session is not None:
            problems = _cookie_flags(_session_cookies(session.login_response), secure=True)
            run.ok("admin session cookie Secure, HttpOnly and SameSite by default", not problems, problems)
        run.default_headers = proxy | _client(61)
        _admin_rate_limit_check(run, admin_credentials[0], rate_limit)
        run.default_headers = proxy
    return run.checks + run.audit.checks()


def _burst(
    run: _Run, send: Callable[[dict[str, str]], Response], limit: int, client: int
) -> tuple[list[int], Response]:
    statuses: list[int] = []
    resp = Response(0, {}, b"")
    for _ in range(limit + 1):
        resp = send(_client(client))
        statuses.append(resp.status)
        if resp.status == 429:
            break
    return statuses, resp


def _limited(run: _Run, name: str, send: Callable[[dict[str, str]], Response], limit: int, first: int) -> None:
    """Request ``limit + 1`` must be the first 429 (one retry from a fresh address across a window boundary)."""
    statuses, last = _burst(run, send, limit, first)
    if 429 not in statuses:  # a fixed window may have rolled over mid-burst: once more, fresh address
        statuses, last = _burst(run, send, limit, first + 1)
    retry = last.headers.get("retry-after", "")
    body_ok = _is_error(_json(last))
    run.ok(
        f"{name}: attempt {limit + 1} from one address within a minute → 429 {{error}} with Retry-After",
        statuses == [*([statuses[0]] * limit), 429]
        and statuses[0] != 429
        and retry.isdigit()
        and int(retry) > 0
        and body_ok,
        f"statuses {statuses}, Retry-After {retry!r}, body {last.body[:120]!r}",
    )
    other = send(_client(first + 2))
    run.ok(f"{name}: another client address is not limited", other.status != 429, f"HTTP {other.status}")


def _rate_limit_checks(run: _Run, limit: int) -> None:
    def login(headers: dict[str, str]) -> Response:
        return _login(run, f"nobody-{secrets.token_hex(3)}@example.com", _wrong(), headers)

    def register(headers: dict[str, str]) -> Response:
        return run.call("POST", "/api/auth/register", {"email": "not-an-email", "password": "x"}, headers=headers)

    _limited(run, "login rate limit", login, limit, 21)
    _limited(run, "register rate limit", register, limit, 31)
    after = login(_client(31))
    run.ok(
        "login and register are counted separately", after.status == 401, f"login after register burst → {after.status}"
    )


def _expiry_check(run: _Run, ttl: int) -> None:
    email = f"expiry-{secrets.token_hex(4)}@example.com"
    password = f"expiry password {secrets.token_hex(4)}"
    _register(run, email, password, _client(41))
    resp = _login(run, email, password, _client(41))
    body = run.check(f"login with AUTH_TOKEN_TTL={ttl} → expires_at ≈ now + {ttl}s", resp, 200, _login_answer(ttl, 5))
    token = _token_of(resp)
    expires = _timestamp(body.get("expires_at")) if isinstance(body, dict) else None
    if token is None or expires is None:
        return
    now = run.call("GET", "/api/auth/me", token=token, headers=_client(41))
    if time.time() < expires.timestamp() - 0.5:
        run.check("the fresh token works before expires_at", now, 200)
    time.sleep(max(0.0, expires.timestamp() - time.time()) + 1.5)
    run.check(
        "the token → 401 once expires_at has passed",
        run.call("GET", "/api/auth/me", token=token, headers=_client(41)),
        401,
        _is_error,
        _bearer_challenge,
    )


def _admin_rate_limit_check(run: _Run, email: str, limit: int) -> None:
    browser = _Browser(run, f"https://{PRODUCTION_HOST}")
    resp, path = browser.get_following("/admin/")
    form = _login_form(_page(resp.text()))
    if form is None:
        resp, path = browser.get_following("/admin/login")
        form = _login_form(_page(resp.text()))
    if form is None or _identity_field(form) is None:
        run.ok("admin login rate limit", False, "no login form found")
        return
    identity = _identity_field(form) or ""
    password_field = next(i["name"] for i in form["inputs"] if i["type"] == "password")
    fields = _form_fields(form) | {identity: email, password_field: _wrong()}
    statuses = []
    for _ in range(limit + 1):
        statuses.append(browser.send("POST", _action(form, path), fields).status)
        if statuses[-1] == 429:
            break
    run.ok(
        f"admin login rate limit: a 429 by POST {limit + 1} from one address",
        429 in statuses and statuses[0] != 429,
        f"statuses {statuses}",
    )
