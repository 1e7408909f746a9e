"""The contract checker passes a conforming server and fails one that breaks any rule.

tests/unit/contract_server.py answers contract v2; each break below changes
one behaviour, and the check named beside it must fail (and nothing must crash).
"""

from __future__ import annotations

import pytest

from stackstart import contract
from tests.unit.contract_server import State, admin_user, main_config, production_config, serve


@pytest.fixture(autouse=True)
def _short_log_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    # the stand-in server writes each access-log line as it answers; a broken one never
    # writes the line the check waits for, and 10 s of waiting would only slow these tests
    monkeypatch.setattr(contract, "LOG_WAIT_SECONDS", 1.0)


def _main(*broken: str) -> tuple[list[contract.Check], State]:
    with serve(main_config(*broken)) as (url, state):
        checks = contract.run_contract(
            url,
            project_name="shop",
            database=True,
            auth=True,
            admin=True,
            admin_credentials=admin_user(state),
            read_log=lambda: "\n".join(state.log),
        )
    return checks, state


def _production(*broken: str) -> list[contract.Check]:
    with serve(production_config(*broken)) as (url, state):
        return contract.run_production(
            url, database=True, auth=True, admin=True, admin_credentials=admin_user(state), token_ttl=2
        )


def _failed(checks: list[contract.Check]) -> dict[str, str]:
    return {c.name: c.detail for c in checks if not c.passed}


def test_a_conforming_server_passes_every_main_check() -> None:
    checks, _ = _main()
    assert _failed(checks) == {}
    assert len(checks) >= 100, len(checks)


def test_a_conforming_server_passes_every_production_check() -> None:
    checks = _production()
    assert _failed(checks) == {}
    assert len(checks) >= 20, len(checks)


MAIN_BREAKS = {
    "headers": "security headers on every response",
    "hsts": "no Strict-Transport-Security without BEHIND_PROXY",
    "health_cache": "GET /health → 200",
    "405": "PUT /api/items → 405",
    "413": "POST /api/items over 1 MiB (Content-Length) → 413",
    "413_chunked": "POST /api/items over 1 MiB (chunked) → 413",
    "400": "POST /api/items malformed JSON → 400",
    "415": "POST /api/items text/plain → 415",
    "trim": "POST /api/items → 201 item, name trimmed",
    "blank": "POST /api/items whitespace-only name → 422",
    "bad_id": "GET /api/items/1.5 → 404",
    "pagination_link": "GET /api/items?page=1&per_page=2",
    "total": "GET /api/items → X-Total-Count",
    "page_validation": "GET /api/items?page=0 → 422",
    "location": "POST /api/items → Location",
    "email_case": "POST /api/auth/register → 201 {email} trimmed and lower-cased",
    "expires_at": "POST /api/auth/login → 200 {token",
    "short_token": "POST /api/auth/login → 200 {token",
    "revocation": "revoked token → 401 on /api/auth/me",
    "timing": "login takes the same time for an unknown email",
    "www_authenticate": "GET /api/auth/me without token → 401 with WWW-Authenticate",
    "cors_any": "CORS: GET from a foreign origin",
    "unknown_401": "unknown path with a bogus token → 404",
    "stack_trace": "no stack trace in any response",
    "log_missing": "one access-log line per request",
    "log_query": "no query string, password or token in the server's output",
    "log_token": "no query string, password or token in the server's output",
    "openapi_missing_op": "OpenAPI documents every /api operation",
    "docs_cdn": "/docs refers to no other host",
    "admin_open": "GET /admin/ anonymous",
    "admin_csrf": "admin login POST without its CSRF field",
    "admin_logout_get": "GET on the admin logout URL does not log out",
    "cookie_flags": "admin session cookie HttpOnly",
}


@pytest.mark.parametrize(("broken", "check"), MAIN_BREAKS.items(), ids=list(MAIN_BREAKS))
def test_the_main_checks_fail_a_server_that_breaks_a_rule(broken: str, check: str) -> None:
    failed = _failed(_main(broken)[0])
    assert any(name.startswith(check) for name in failed), (check, failed)


PRODUCTION_BREAKS = {
    "rate_limit": "login rate limit: attempt 11",
    "retry_after": "login rate limit: attempt 11",
    "expiry": "the token → 401 once expires_at has passed",
    "cors_default": "no CORS headers by default",
    "cookie_secure": "admin session cookie Secure",
    "health_redirect": "GET /health on 127.0.0.1 without proxy headers → 200, no redirect",
}


@pytest.mark.parametrize(("broken", "check"), PRODUCTION_BREAKS.items(), ids=list(PRODUCTION_BREAKS))
def test_the_production_checks_fail_a_server_that_breaks_a_rule(broken: str, check: str) -> None:
    failed = _failed(_production(broken))
    assert any(name.startswith(check) for name in failed), (check, failed)


def test_the_minimal_variant_checks_only_what_applies() -> None:
    with serve(main_config()) as (url, _state):
        checks = contract.run_contract(url, project_name="shop", database=False, auth=False, admin=False)
    names = [c.name for c in checks]
    assert not any("/api/items" in n and "→ 405" not in n for n in names if "CORS" not in n), names
    assert 'GET /health → 200 {"status": "ok"} with Cache-Control: no-store' in names
    assert _failed(checks) == {}


def test_a_dead_server_fails_instead_of_crashing() -> None:
    with serve(main_config()) as (url, _):
        pass
    with pytest.raises(ConnectionRefusedError):
        contract.run_contract(url, project_name="shop", database=False, auth=False, admin=False)
