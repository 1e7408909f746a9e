"""The contract checker must be able to fail: probe a server that breaks the contract."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from stackstart import contract


class _Broken(BaseHTTPRequestHandler):
    """Healthy-looking but wrong: 200 for everything, never 401/404/422, admin pages open."""

    def _answer(self) -> None:
        body = json.dumps({"status": "ok"} if self.path == "/health" else {"token": "x" * 20, "items": []}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_DELETE = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def broken_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Broken)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_server_that_breaks_the_contract_fails_it(broken_server: str) -> None:
    checks = contract.run_contract(
        broken_server,
        project_name="shop",
        database=True,
        auth=True,
        admin=True,
        admin_credentials=("a@example.com", "password123"),
    )
    failed = {c.name for c in checks if not c.passed}
    assert 'GET /health → 200 {"status": "ok", "database": "ok"}' in failed
    assert "GET / → 200 HTML naming the project" in failed
    assert "register duplicate email → 422" in failed
    assert "GET /api/auth/me without token → 401" in failed
    assert "GET /admin/ anonymous → login redirect or 401/403" in failed
    assert "POST /api/items → 201 item" in failed
    assert "POST /api/items without token → 401" in failed


def test_minimal_checks_pass_on_a_conforming_health_endpoint(broken_server: str) -> None:
    checks = contract.run_contract(broken_server, project_name="shop", database=False, auth=False, admin=False)
    assert [c.passed for c in checks] == [True, False]  # /health fine, / is not HTML naming the project
