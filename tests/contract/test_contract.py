"""Contract tier: boot the full variant and probe DESIGN.md §5 over real HTTP."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from stackstart import catalog, verify
from tests.build.test_build import describe
from tests.helpers import available_frameworks, json_result, need_tools

pytestmark = pytest.mark.contract

CASES = [(fw, db) for fw in available_frameworks() for db in ("sqlite", "postgresql", "mysql")]
# the session fixture that starts each server, and the variable verify reads its URL from
SERVERS = {"postgresql": ("postgres_url", "STACKSTART_POSTGRES_URL"), "mysql": ("mysql_url", "STACKSTART_MYSQL_URL")}
EVERY_STEP = [
    "render",
    "install",
    "lint",
    "test",
    "migrate",
    "create-admin",
    "production",
    "boot",
    "contract",
    "schemathesis",
    "stop",
    "unreachable-db",
]


@pytest.mark.parametrize(("framework", "database"), CASES, ids=[f"{f}-full-{d}" for f, d in CASES])
def test_full_variant_answers_the_contract(
    tmp_path: Path, framework: str, database: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    need_tools(framework)
    if database in SERVERS:
        fixture, variable = SERVERS[database]
        monkeypatch.setenv(variable, request.getfixturevalue(fixture))
    report = verify.verify(framework=catalog.get(framework), variant="full", database=database, workdir=tmp_path)
    assert report.passed, describe(report)
    if database in SERVERS:
        assert report.database_server is not None
        assert report.database_server.startswith(("PostgreSQL ", "MariaDB ", "MySQL ")), report.database_server
    checks = [name for name, _ in catalog.get(framework).checks]
    assert [s.name for s in report.steps] == EVERY_STEP[:4] + checks + EVERY_STEP[4:]
    assert all(s.status == "passed" for s in report.steps), describe(report)
    assert report.fuzz is not None
    assert report.fuzz.failures == []
    assert report.fuzz.operations == 8, report.fuzz.summary
    names = [c.name for c in report.checks]
    assert len(names) >= 120, names
    for must in (
        "GET /health",
        "revoked token → 401",
        "POST /api/items without token → 401",
        "GET /admin/ anonymous",
        "create-admin user logs in to the admin through its login form",
        "POST /api/items empty name → 422",
        "login takes the same time for an unknown email",
        "production: the Dockerfile's HEALTHCHECK command passes",
        "production: login rate limit",
        "production: the token → 401 once expires_at has passed",
    ):
        assert any(n.startswith(must) for n in names), must


@pytest.mark.parametrize("framework", ["flask"])  # the command's own behaviour; templates are covered above
def test_verify_command_json_on_the_minimal_variant(framework: str) -> None:
    need_tools(framework)
    done = subprocess.run(
        [sys.executable, "-m", "stackstart", "verify", "--framework", framework, "--variant", "minimal", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json_result(done.stdout, "verify")
    assert report["passed"] is True
    statuses = {s["name"]: s["status"] for s in report["steps"]}
    assert statuses["migrate"] == "skipped"
    assert statuses["contract"] == "passed"
    assert statuses["production"] == "passed"
    assert statuses["schemathesis"] == "skipped"  # no /api operation without a database
    assert statuses["unreachable-db"] == "skipped"
    names = {c["name"] for c in report["checks"]}
    assert 'GET /health → 200 {"status": "ok"} with Cache-Control: no-store' in names
    assert "GET / → 200 HTML naming the project" in names
    assert "production: no CORS headers by default (GET /health)" in names
    assert not any("/api/items" in name and "405" not in name for name in names)
    assert done.stderr == ""  # --json stays quiet


@pytest.mark.parametrize("framework", available_frameworks())
def test_verify_an_existing_project_leaves_its_git_tree_clean(framework: str) -> None:
    need_tools(framework)
    project = Path.cwd() / "shop"
    new = subprocess.run(
        [sys.executable, "-m", "stackstart", "new", "shop", "-f", framework, "--auth", "--defaults"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert new.returncode == 0, new.stderr
    report = verify.verify(path=project)
    assert report.passed, describe(report)
    assert report.options.auth is True
    assert report.steps[0].name == "install"  # no render for an existing project
    status = subprocess.run(["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True, check=True)
    # build outputs, dependencies, the SQLite file and caches are all git-ignored; only the lock file
    # that the first install writes is new, and it is meant to be committed
    lockfile = catalog.get(framework).lockfile
    assert status.stdout in ("", f"?? {lockfile}\n")
