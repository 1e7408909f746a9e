"""A small standard-library server that answers contract v2 (docs/contract.md), or breaks one rule on demand.

tests/unit/test_contract_checker.py runs the real checker against it: the
conforming server must pass every check (no false alarm), and each entry of
``BREAKS`` must make the check it names fail (the checker can fail).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

MAX_BODY = 1_048_576
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class Config:
    cors_origins: tuple[str, ...] = ()
    rate_limit: int = 10
    token_ttl: int = 1209600
    behind_proxy: bool = False
    cookie_secure: bool = True
    broken: frozenset[str] = frozenset()


@dataclass
class State:
    config: Config
    items: dict[int, dict[str, Any]] = field(default_factory=dict)
    next_id: int = 1
    users: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, tuple[str, float]] = field(default_factory=dict)
    hits: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _openapi(broken: frozenset[str]) -> dict[str, Any]:
    """The document a conforming output serves: every operation, its bodies and its error answers."""
    ref = {
        name: {"$ref": f"#/components/schemas/{name}"} for name in ("Item", "Error", "ValidationError", "Credentials")
    }

    def answers(codes: dict[str, Any]) -> dict[str, Any]:
        return {
            code: {"description": code, **({"content": _json_content(schema)} if schema else {})}
            for code, schema in codes.items()
        }

    bearer = [{"bearerAuth": []}]
    item_id = {"name": "item_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
    page = [
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
    ]
    new_item = {
        "required": True,
        "content": _json_content(
            {
                "type": "object",
                "required": ["name"],
                "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"\S"}},
            }
        ),
    }
    token = {
        "type": "object",
        "required": ["token", "expires_at"],
        "properties": {"token": {"type": "string"}, "expires_at": {"type": "string", "format": "date-time"}},
    }
    credentials = {"required": True, "content": _json_content(ref["Credentials"])}
    # what any operation with a JSON body may answer besides its own statuses
    body_errors = {"400": ref["Error"], "413": ref["Error"], "415": ref["Error"], "422": ref["ValidationError"]}
    errors = {"401": ref["Error"], "429": ref["Error"]} | body_errors
    paths: dict[str, Any] = {
        "/api/items": {
            "get": {
                "parameters": page,
                "responses": answers({"200": {"type": "array", "items": ref["Item"]}, "422": ref["ValidationError"]}),
            },
            "post": {
                "security": bearer,
                "requestBody": new_item,
                "responses": answers({"201": ref["Item"], "401": ref["Error"]} | body_errors),
            },
        },
        "/api/items/{item_id}": {
            "get": {"parameters": [item_id], "responses": answers({"200": ref["Item"], "404": ref["Error"]})},
            "delete": {
                "security": bearer,
                "parameters": [item_id],
                "responses": answers({"204": None, "401": ref["Error"], "404": ref["Error"]}),
            },
        },
        "/api/auth/register": {
            "post": {
                "requestBody": credentials,
                "responses": answers(
                    {"201": {"type": "object", "properties": {"email": {"type": "string"}}}, "429": ref["Error"]}
                    | body_errors
                ),
            }
        },
        "/api/auth/login": {
            "post": {
                "requestBody": credentials,
                "responses": answers({"200": token} | errors),
            }
        },
        "/api/auth/me": {
            "get": {
                "security": bearer,
                "responses": answers(
                    {"200": {"type": "object", "properties": {"email": {"type": "string"}}}, "401": ref["Error"]}
                ),
            }
        },
        "/api/auth/logout": {"post": {"security": bearer, "responses": answers({"204": None, "401": ref["Error"]})}},
    }
    if "openapi_missing_op" in broken:
        del paths["/api/auth/logout"]
    if "openapi_empty" in broken:  # a variant without a database
        paths = {}
    if "openapi_teapot" in broken:  # promises an answer the server never gives
        paths["/api/items"]["get"]["responses"]["418"] = {"description": "never"}
    if "openapi_wrong_schema" in broken:  # says ids are strings
        paths["/api/items/{item_id}"]["get"]["responses"]["200"]["content"] = _json_content(
            {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}
        )
    return {
        "openapi": "3.0.3",
        "info": {"title": "shop", "version": "1"},
        "paths": paths,
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Item": {
                    "type": "object",
                    "required": ["id", "name", "created_at"],
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "created_at": {"type": "string", "format": "date-time"},
                    },
                },
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
                "ValidationError": {
                    "type": "object",
                    "required": ["errors"],
                    "properties": {
                        "errors": {
                            "type": "object",
                            "additionalProperties": {"type": "array", "items": {"type": "string"}},
                        }
                    },
                },
                "Credentials": {
                    "type": "object",
                    "required": ["email", "password"],
                    "properties": {
                        "email": {"type": "string", "format": "email", "maxLength": 254},
                        "password": {"type": "string", "minLength": 8, "maxLength": 128},
                    },
                },
            },
        },
    }


class Handler(BaseHTTPRequestHandler):
    state: State  # set on the subclass made per server
    protocol_version = "HTTP/1.1"  # keep-alive, as clients with a connection pool expect

    # ------------------------------------------------------------------ plumbing
    @property
    def broken(self) -> frozenset[str]:
        return self.state.config.broken

    def log_message(self, *args: object) -> None:
        pass

    def proxied_https(self) -> bool:
        trusted = self.state.config.behind_proxy or "hsts" in self.broken
        return trusted and self.headers.get("X-Forwarded-Proto") == "https"

    def client(self) -> str:
        if self.state.config.behind_proxy and self.headers.get("X-Forwarded-For"):
            return self.headers["X-Forwarded-For"].split(",")[-1].strip()
        return self.client_address[0]

    def origin(self) -> str:
        return ("https://" if self.proxied_https() else "http://") + self.headers.get("Host", "")

    def answer(
        self, status: int, body: Any = None, headers: dict[str, str] | None = None, html: str | None = None
    ) -> None:
        started = getattr(self, "started", time.perf_counter())
        if html is not None:
            data, kind = html.encode(), "text/html; charset=utf-8"
        elif body is None:
            data, kind = b"", ""
        else:
            if status == 404 and "stack_trace" in self.broken:
                body = dict(body, trace="Traceback (most recent call last):\n  File x")
            data, kind = json.dumps(body).encode(), "application/json"
        self.send_response(status)
        if kind:
            self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        if not (status == 404 and "headers" in self.broken):
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Referrer-Policy", "strict-origin-when-cross-origin")
            self.send_header("X-Frame-Options", "DENY")
        if self.proxied_https():
            self.send_header("Strict-Transport-Security", "max-age=31536000")
        origin = self.headers.get("Origin")
        allowed = self.state.config.cors_origins
        if "cors_default" in self.broken:
            allowed = (*allowed, "https://app.example.com")
        if origin and (origin in allowed or "cors_any" in self.broken):
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)
        path = self.path if "log_query" in self.broken else urlsplit(self.path).path
        line = f"{self.command} {path} {status} {(time.perf_counter() - started) * 1000:.1f}ms"
        if "log_token" in self.broken:
            line += f" auth={self.headers.get('Authorization')}"
        if "log_missing" not in self.broken:
            with self.state.lock:
                self.state.log.append(line)

    def read_body(self) -> bytes | None:
        """The request body, or None after answering 413."""
        limit = None if "413" in self.broken else MAX_BODY
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                data += self.rfile.read(size)
                self.rfile.readline()
                if limit is not None and "413_chunked" not in self.broken and len(data) > limit:
                    self.answer(413, {"error": "request body too large"})
                    self.close_connection = True
                    return None
            return data
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length)  # drained either way, so the client reads the answer
        if limit is not None and length > limit:
            self.answer(413, {"error": "request body too large"})
            return None
        return data

    def json_body(self) -> tuple[bool, Any]:
        """(True, parsed JSON) or (False, None) after answering 413/415/400."""
        data = self.read_body()
        if data is None:
            return False, None
        if "json" not in self.headers.get("Content-Type", "") and "415" not in self.broken:
            self.answer(415, {"error": "send application/json"})
            return False, None
        try:
            return True, json.loads(data)
        except ValueError:
            if "400" in self.broken:
                self.answer(422, {"errors": {"body": ["not JSON"]}})
            else:
                self.answer(400, {"error": "malformed JSON"})
            return False, None

    def user(self) -> str | None:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or not header[7:].strip():
            return None
        found = self.state.tokens.get(hashlib.sha256(header[7:].encode()).hexdigest())
        if found is None or (found[1] < time.time() and "expiry" not in self.broken):
            return None
        return found[0]

    def unauthorized(self) -> None:
        headers = {} if "www_authenticate" in self.broken else {"WWW-Authenticate": "Bearer"}
        self.answer(401, {"error": "authentication required"}, headers)

    def limited(self, endpoint: str) -> bool:
        if "rate_limit" in self.broken:
            return False
        now = time.time()
        with self.state.lock:
            hits = [t for t in self.state.hits.get((endpoint, self.client()), []) if t > now - 60]
            hits.append(now)
            self.state.hits[(endpoint, self.client())] = hits
        if len(hits) <= self.state.config.rate_limit:
            return False
        headers = {} if "retry_after" in self.broken else {"Retry-After": str(int(60 - (now - hits[0])) + 1)}
        if endpoint == "admin":
            self.answer(429, html="<p>too many attempts</p>", headers=headers)
        else:
            self.answer(429, {"error": "too many attempts"}, headers)
        return True

    def cookies(self) -> dict[str, str]:
        found = {}
        for part in self.headers.get("Cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name:
                found[name] = value
        return found

    # ------------------------------------------------------------------ dispatch
    def handle_any(self) -> None:
        self.started = time.perf_counter()
        path = urlsplit(self.path).path
        method = "GET" if self.command == "HEAD" else self.command
        if method == "OPTIONS" and self.headers.get("Access-Control-Request-Method"):
            origin = self.headers.get("Origin", "")
            ok = origin in self.state.config.cors_origins or "cors_any" in self.broken
            cors = {
                "Access-Control-Allow-Methods": "GET, POST, DELETE",
                "Access-Control-Allow-Headers": "Authorization, Content-Type",
            }
            self.answer(204, None, cors if ok else {})
            return
        routes = {
            "/health": {"GET": self.health},
            "/": {"GET": self.home},
            "/openapi.json": {"GET": lambda: self.answer(200, _openapi(self.broken))},
            "/docs": {"GET": self.docs},
            "/static/docs.js": {"GET": lambda: self.answer(200, html="// viewer")},
            "/api/items": {"GET": self.list_items, "POST": self.create_item},
            "/api/auth/register": {"POST": self.register},
            "/api/auth/login": {"POST": self.login},
            "/api/auth/me": {"GET": self.me},
            "/api/auth/logout": {"POST": self.logout},
            "/admin/": {"GET": self.admin_index},
            "/admin/login": {"GET": self.admin_login_page, "POST": self.admin_login},
            "/admin/logout": {"POST": self.admin_logout},
        }
        if "openapi_missing" in self.broken:
            del routes["/openapi.json"]
        if "admin_logout_get" in self.broken:
            routes["/admin/logout"]["GET"] = self.admin_logout
        match = re.fullmatch(r"/api/items/([^/]+)", path)
        if match:
            self.item(match.group(1))
            return
        if "405" in self.broken and path == "/api/items" and method == "PUT":
            routes.pop("/api/items")
        if path not in routes:
            if "unknown_401" in self.broken and self.headers.get("Authorization"):
                self.unauthorized()
            else:
                self.answer(404, {"error": "not found"})
            return
        handler = routes[path].get(method)
        if handler is None:
            self.read_body()
            self.answer(405, {"error": "method not allowed"}, {"Allow": ", ".join(routes[path])})
            return
        handler()

    do_GET = do_POST = do_PUT = do_DELETE = do_OPTIONS = do_PATCH = do_TRACE = do_HEAD = do_QUERY = handle_any

    # ------------------------------------------------------------------ pages
    def health(self) -> None:
        if "health_redirect" in self.broken and not self.proxied_https():
            self.answer(301, None, {"Location": "https://app.example.com/health"})
            return
        headers = {} if "health_cache" in self.broken else {"Cache-Control": "no-store"}
        self.answer(200, {"status": "ok", "database": "ok"}, headers)

    def home(self) -> None:
        self.answer(200, html="<!doctype html><title>shop</title><h1>shop</h1>")

    def docs(self) -> None:
        script = "https://cdn.example/swagger.js" if "docs_cdn" in self.broken else "/static/docs.js"
        self.answer(200, html=f'<!doctype html><div id="ui"></div><script src="{script}"></script>')

    # ------------------------------------------------------------------ items
    def list_items(self) -> None:
        query = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
        errors: dict[str, list[str]] = {}
        values = {}
        for name, default, top in (("page", 1, None), ("per_page", 20, 100)):
            raw = query.get(name, [str(default)])[0]
            value = int(raw) if re.fullmatch(r"-?\d+", raw) else None
            if "page_validation" in self.broken and value is not None:
                value = max(value, 1)
            if value is None or value < 1 or (top is not None and value > top):
                errors[name] = ["must be a whole number in range"]
            values[name] = value or 1
        if errors:
            self.answer(422, {"errors": errors})
            return
        ids = sorted(self.state.items)
        page, per = values["page"], values["per_page"]
        chunk = [self.state.items[i] for i in ids[(page - 1) * per : page * per]]
        links = []
        if page * per < len(ids):
            links.append(f'</api/items?page={page + 1}&per_page={per}>; rel="next"')
        if page > 1 and (page - 1) * per < len(ids) + per:
            links.append(f'</api/items?page={page - 1}&per_page={per}>; rel="prev"')
        headers = {} if "total" in self.broken else {"X-Total-Count": str(len(ids))}
        if links and "pagination_link" not in self.broken:
            headers["Link"] = ", ".join(links)
        self.answer(200, chunk, headers)

    def create_item(self) -> None:
        if self.user() is None:
            self.read_body()
            self.unauthorized()
            return
        ok, body = self.json_body()
        if not ok:
            return
        if not isinstance(body, dict):
            self.answer(422, {"errors": {"body": ["must be a JSON object"]}})
            return
        name = body.get("name")
        checked = name
        if isinstance(name, str) and "trim" not in self.broken:
            name = name.strip()
            checked = body["name"] if "blank" in self.broken else name  # validated before trimming
        if not isinstance(checked, str) or not 1 <= len(checked) <= 200:
            self.answer(422, {"errors": {"name": ["must be 1 to 200 characters"]}})
            return
        with self.state.lock:
            item = {"id": self.state.next_id, "name": name, "created_at": datetime.now(UTC).isoformat()}
            self.state.items[item["id"]] = item
            self.state.next_id += 1
        headers = {} if "location" in self.broken else {"Location": f"/api/items/{item['id']}"}
        self.answer(201, item, headers)

    def item(self, raw: str) -> None:
        valid = re.fullmatch(r"\d{1,18}", raw)
        if "bad_id" in self.broken and not valid:  # an unchecked int() conversion
            self.answer(500, {"error": "internal server error"})
            return
        number = int(raw) if valid else 0
        if self.command == "GET":
            found = self.state.items.get(number)
            self.answer(200, found) if found else self.answer(404, {"error": "not found"})
        elif self.command == "DELETE":
            if self.user() is None:
                self.unauthorized()
            elif self.state.items.pop(number, None) is None:
                self.answer(404, {"error": "not found"})
            else:
                self.answer(204)
        else:
            self.answer(405, {"error": "method not allowed"}, {"Allow": "GET, DELETE"})

    # ------------------------------------------------------------------ auth
    def credentials(self) -> tuple[bool, Any]:
        ok, body = self.json_body()
        if not ok:
            return False, None
        if not isinstance(body, dict) or not isinstance(body.get("email"), str):
            self.answer(422, {"errors": {"email": ["required"]}})
            return False, None
        if not isinstance(body.get("password"), str):
            self.answer(422, {"errors": {"password": ["required"]}})
            return False, None
        email = body["email"].strip()
        body["email"] = email if "email_case" in self.broken else email.lower()
        return True, body

    def register(self) -> None:
        if self.limited("register"):
            return
        ok, body = self.credentials()
        if not ok:
            return
        email, password = body["email"], body["password"]
        if len(email) > 254 or not EMAIL.match(email) or email.lower() in {e.lower() for e in self.state.users}:
            self.answer(422, {"errors": {"email": ["invalid or taken"]}})
        elif not 8 <= len(password) <= 128:
            self.answer(422, {"errors": {"password": ["8 to 128 characters"]}})
        else:
            self.state.users[email] = password
            self.answer(201, {"email": email})

    def login(self) -> None:
        if self.limited("login"):
            return
        ok, body = self.credentials()
        if not ok:
            return
        stored = self.state.users.get(body["email"])
        if stored is not None or "timing" not in self.broken:
            time.sleep(0.08)  # "hashing"
        if stored is None or not secrets.compare_digest(stored.encode(), body["password"].encode()):
            self.answer(401, {"error": "invalid email or password"})
            return
        token = secrets.token_urlsafe(8 if "short_token" in self.broken else 32)
        expires = time.time() + self.state.config.token_ttl
        self.state.tokens[hashlib.sha256(token.encode()).hexdigest()] = (body["email"], expires)
        answer = {"token": token, "expires_at": datetime.fromtimestamp(expires, UTC).isoformat()}
        if "expires_at" in self.broken:
            del answer["expires_at"]
        self.answer(200, answer)

    def me(self) -> None:
        user = self.user()
        self.answer(200, {"email": user}) if user else self.unauthorized()

    def logout(self) -> None:
        if self.user() is None:
            self.unauthorized()
            return
        if "revocation" not in self.broken:
            del self.state.tokens[hashlib.sha256(self.headers["Authorization"][7:].encode()).hexdigest()]
        self.answer(204)

    # ------------------------------------------------------------------ admin
    def session_user(self) -> str | None:
        return self.state.sessions.get(self.cookies().get("sessionid", ""))

    def csrf_ok(self, form: dict[str, list[str]]) -> bool:
        if "admin_csrf" in self.broken:
            return True
        origin = self.headers.get("Origin")
        token = self.cookies().get("csrftoken")
        return bool(token) and form.get("csrf", [""])[0] == token and origin in (None, self.origin())

    def admin_index(self) -> None:
        if self.session_user() is None and "admin_open" not in self.broken:
            self.answer(302, None, {"Location": "/admin/login?next=/admin/"})
            return
        self.answer(
            200, html=self.page('<form method="post" action="/admin/logout">{csrf}<button>Log out</button></form>')
        )

    def page(self, body: str) -> str:
        token = self.cookies().get("csrftoken", "")
        return "<!doctype html>" + body.replace("{csrf}", f'<input type="hidden" name="csrf" value="{token}">')

    def admin_login_page(self) -> None:
        token = self.cookies().get("csrftoken") or secrets.token_hex(16)
        form = (
            f'<form method="post"><input type="hidden" name="csrf" value="{token}">'
            '<input type="email" name="email"><input type="password" name="password"><button>Log in</button></form>'
        )
        self.answer(
            200, html="<!doctype html>" + form, headers={"Set-Cookie": f"csrftoken={token}; Path=/; SameSite=Lax"}
        )

    def form(self) -> dict[str, list[str]]:
        data = self.read_body() or b""
        return parse_qs(data.decode(), keep_blank_values=True)

    def admin_login(self) -> None:
        form = self.form()
        if self.limited("admin"):
            return
        if not self.csrf_ok(form):
            self.answer(403, html="<p>CSRF check failed</p>")
            return
        email, password = form.get("email", [""])[0], form.get("password", [""])[0]
        if self.state.users.get(email) != password:
            self.admin_login_page()
            return
        sid = secrets.token_hex(16)
        self.state.sessions[sid] = email
        flags = "" if "cookie_flags" in self.broken else "; HttpOnly; SameSite=Lax"
        if self.state.config.cookie_secure and "cookie_secure" not in self.broken:
            flags += "; Secure"
        self.answer(303, None, {"Location": "/admin/", "Set-Cookie": f"sessionid={sid}; Path=/{flags}"})

    def admin_logout(self) -> None:
        form = self.form()
        if self.command == "POST" and not self.csrf_ok(form):
            self.answer(403, html="<p>CSRF check failed</p>")
            return
        self.state.sessions.pop(self.cookies().get("sessionid", ""), None)
        self.answer(303, None, {"Location": "/admin/login", "Set-Cookie": "sessionid=; Max-Age=0; Path=/"})


@contextmanager
def serve(config: Config) -> Iterator[tuple[str, State]]:
    """Run the server on a free port; yield its base URL and state."""
    state = State(config)
    handler = type("BoundHandler", (Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    # shutdown() waits for serve_forever's next poll: 0.5 s by default, in every test that serves
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()


def admin_user(state: State) -> tuple[str, str]:
    """Create an admin user the way create-admin would; return its credentials."""
    email, password = "admin@example.com", "admin password 123"
    state.users[email] = password
    return email, password


def main_config(*broken: str) -> Config:
    return Config(
        cors_origins=("https://app.example.com", "https://other.example.com"),
        rate_limit=100000,
        cookie_secure=False,
        broken=frozenset(broken),
    )


def production_config(*broken: str) -> Config:
    return Config(behind_proxy=True, token_ttl=2, broken=frozenset(broken))


def expires_in(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()
