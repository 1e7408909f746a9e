"""Contract tier: boot the full variant and probe DESIGN.md §5 over real HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stackstart import catalog, junit, matrix, toolchains, verify
from stackstart.matrix import CaseResult
from tests.build.test_build import describe
from tests.helpers import available_frameworks, need_tools

pytestmark = pytest.mark.contract

CASES = [(fw, db) for fw in available_frameworks() for db in matrix.SERVER_DATABASES]
# the session fixture that starts each server, and the variable verify reads its URL from
SERVERS = {"postgresql": ("postgres_url", "STACKSTART_POSTGRES_URL"), "mysql": ("mysql_url", "STACKSTART_MYSQL_URL")}
# where .ci/run wants the matrix's summary and JUnit report (read before the isolation fixture clears STACKSTART_*)
REPORTS = os.environ.get("STACKSTART_REPORTS")
EVERY_STEP = list(verify.STEPS)


@pytest.fixture(scope="session")
def full_matrix(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, CaseResult]:
    """`stackstart verify` of the full variant over every framework x database, two cases at a time.

    The product's own matrix runner (each case a `stackstart verify --json` child process with its
    own ports, databases and folders) does the work, once per session; the tests below read its
    results case by case. Frameworks or servers missing here are left out, and their tests skip (or
    fail, when STACKSTART_REQUIRE names them) on their own.
    """
    selected = {  # the cases this session runs (-k may pick a few)
        (item.callspec.params["framework"], item.callspec.params["database"])
        for item in request.session.items
        if isinstance(item, pytest.Function) and item.originalname == "test_full_variant_answers_the_contract"
    }
    frameworks = [fw for fw in available_frameworks() if not toolchains.missing_tools(catalog.get(fw))]
    databases, urls = ["sqlite"], {}
    for database, (fixture, variable) in SERVERS.items():
        if not any(db == database for _, db in selected):
            continue
        try:
            urls[variable] = request.getfixturevalue(fixture)
        except (pytest.skip.Exception, pytest.fail.Exception):
            continue
        databases.append(database)
    cases = [c for c in matrix.expand(frameworks, ["full"], databases) if (c.framework, c.database) in selected]
    folder = Path(REPORTS) if REPORTS else tmp_path_factory.mktemp("matrix")
    folder.mkdir(parents=True, exist_ok=True)
    saved = {key: os.environ.get(key) for key in urls}
    os.environ.update(urls)
    try:
        started = time.monotonic()
        results = matrix.run(cases, jobs=2, logs=folder / "logs")
        wall = time.monotonic() - started
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    summary = "\n".join(matrix.format_summary(results, wall) + matrix.format_failures(results)) + "\n"
    (folder / "matrix-summary.txt").write_text(summary, encoding="utf-8")
    junit.write(results, wall, folder / "matrix-junit.xml")
    print(summary)  # shown by -rP in the test report of the first case
    return {f"{result.case.framework}-{result.case.database}": result for result in results}


@pytest.mark.xdist_group("full-matrix")  # one worker runs the whole matrix (two cases at a time)
@pytest.mark.parametrize(("framework", "database"), CASES, ids=[f"{f}-full-{d}" for f, d in CASES])
def test_full_variant_answers_the_contract(
    framework: str, database: str, request: pytest.FixtureRequest, full_matrix: dict[str, CaseResult]
) -> None:
    need_tools(framework)
    if database in SERVERS:
        request.getfixturevalue(SERVERS[database][0])  # skips or fails here as the matrix did
    result = full_matrix[f"{framework}-{database}"]
    report = result.report
    assert report is not None, result.error
    assert result.passed, describe(report) + "\n" + result.tail()
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
    report = json.loads(done.stdout)
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
