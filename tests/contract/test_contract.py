"""Contract tier: boot the full variant and probe DESIGN.md §5 over real HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stackstart import catalog, junit, matrix, toolchains, verify
from stackstart.matrix import CaseResult
from tests.build.test_build import describe
from tests.helpers import available_frameworks, json_result, need_tools, required_frameworks

pytestmark = pytest.mark.contract

# the session fixture that starts each server, and the variable verify reads its URL from
SERVERS = {"postgresql": ("postgres_url", "STACKSTART_POSTGRES_URL"), "mysql": ("mysql_url", "STACKSTART_MYSQL_URL")}
# where .ci/run wants the matrix's summary and JUnit report (read before the isolation fixture clears STACKSTART_*)
REPORTS = os.environ.get("STACKSTART_REPORTS")
EVERY_STEP = list(verify.STEPS)


MUST_CHECK = (
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
)


def _problems(result: CaseResult) -> list[str]:
    """What is wrong with one case of the full-variant matrix (empty: it answers the contract)."""
    report, framework, database = result.report, result.case.framework, result.case.database
    if report is None:
        return [f"stopped before any step: {result.error}"]
    if not result.passed:
        return [f"failed\n{describe(report)}\n{result.tail()}"]
    problems = []
    if database in SERVERS and not (report.database_server or "").startswith(("PostgreSQL ", "MariaDB ", "MySQL ")):
        problems.append(f"database server {report.database_server!r}")
    checks = [name for name, _ in catalog.get(framework).checks]
    if [s.name for s in report.steps] != EVERY_STEP[:4] + checks + EVERY_STEP[4:]:
        problems.append(f"steps {[s.name for s in report.steps]}")
    if report.fuzz is None or report.fuzz.failures or report.fuzz.operations != 8:
        problems.append(f"schemathesis {report.fuzz.summary if report.fuzz else None}")
    names = [c.name for c in report.checks]
    if len(names) < 120:
        problems.append(f"only {len(names)} contract checks")
    problems += [f"no check {must!r}" for must in MUST_CHECK if not any(n.startswith(must) for n in names)]
    return problems


def test_full_variant_matrix_answers_the_contract(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`stackstart verify` of the full variant over every framework x database, two cases at a time.

    The product's own matrix runner does the work: each case is a `stackstart verify --json` child
    process with its own ports, databases and folders. One test (so one xdist worker) runs them all;
    a framework whose toolchain is missing, or a server that cannot start, is left out here, or fails
    the test when STACKSTART_REQUIRE says this machine must cover it.
    """
    frameworks = []
    for framework in available_frameworks():
        missing = toolchains.missing_tools(catalog.get(framework))
        if missing and framework in required_frameworks():
            pytest.fail(f"{framework}: missing {', '.join(missing)} (required by STACKSTART_REQUIRE)")
        if not missing:
            frameworks.append(framework)
    if not frameworks:
        pytest.skip("no shipped framework has its toolchain here")
    databases = ["sqlite"]
    for database, (fixture, variable) in SERVERS.items():
        try:
            monkeypatch.setenv(variable, request.getfixturevalue(fixture))  # fails when required
        except pytest.skip.Exception:
            continue
        databases.append(database)
    folder = Path(REPORTS) if REPORTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    results = matrix.run(matrix.expand(frameworks, ["full"], databases), jobs=2, logs=folder / "logs")
    wall = time.monotonic() - started
    summary = "\n".join(matrix.format_summary(results, wall) + matrix.format_failures(results)) + "\n"
    (folder / "matrix-summary.txt").write_text(summary, encoding="utf-8")
    junit.write(results, wall, folder / "matrix-junit.xml")
    print(summary)  # -rP shows it in the test report
    assert len(results) == len(frameworks) * len(databases)
    problems = {result.case.id: found for result in results if (found := _problems(result))}
    assert not problems, summary + "\n".join(f"{case}: {'; '.join(found)}" for case, found in problems.items())


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
