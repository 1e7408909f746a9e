"""`verify` over a matrix: values, cases, parallel runs, the summary, --json, --junit and --list-matrix.

The cases here stop after the render step (a real render of the real
templates); the build/contract tiers cover the later steps of one case.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
import xmlschema
from click.testing import Result

from stackstart import catalog, envelope, junit, matrix, verify
from stackstart.errors import ToolError, UsageError
from stackstart.verify import StepResult, VerifyReport
from tests.helpers import envelope as envelope_of
from tests.helpers import json_result
from tests.unit.test_cli import assert_usage_error, invoke, tree

SCHEMA = xmlschema.XMLSchema(Path(__file__).parent / "data" / "junit-10.xsd")
Events = Callable[[str, StepResult | None], None]


# A render points tempfile at its staging folder for the whole process, which is why
# the matrix runs each case in a child process; in-process renders here take turns.
_RENDER = threading.Lock()


def render_only(case: matrix.Case, logs: Path, on_event: Events) -> VerifyReport:
    """A real verify of ``case`` that stops after the render (what every case does first)."""
    database = None if case.database == "none" else case.database
    with _RENDER:
        return verify.verify(
            framework=catalog.get(case.framework),
            variant=case.variant,
            database=database,
            until="render",
            on_event=on_event,
            logs=logs,
        )


def failing_at_test(case: matrix.Case, logs: Path, on_event: Events) -> VerifyReport:
    """A real render, then a ``test`` step that fails the way the pipeline records one, with its log."""
    report = render_only(case, logs, on_event)
    output = "".join(f"collecting line {n}\n" for n in range(100)) + "E   assert 500 == 200\n\x1b[31m1 failed\x1b[0m\n"
    (logs / "test.log").write_text(output)
    report.steps.append(StepResult("test", "failed", 2.5, ".venv/bin/pytest", "exit code 1\n" + output))
    return report


# ---------------------------------------------------------------- values and cases


def test_split_takes_lists_all_and_drops_repeats() -> None:
    assert matrix.split("api, FULL,api", tuple(catalog.VARIANTS), "--variant") == ("api", "full")
    assert matrix.split("all", tuple(catalog.VARIANTS), "--variant") == ("minimal", "api", "full")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("api,huge", '--variant "huge" is not one of minimal, api, full (or all)'),
        ("api,,full", "has an empty value"),
        ("all,api", "give all alone"),
        ("", "has an empty value"),
    ],
)
def test_split_refuses(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        matrix.split(text, tuple(catalog.VARIANTS), "--variant")


def test_cases_are_the_product_and_minimal_runs_once() -> None:
    cases = matrix.expand(["flask", "express"], ["minimal", "api"], ["sqlite", "postgresql"])
    assert [case.id for case in cases] == [
        "flask-minimal-none",
        "flask-api-sqlite",
        "flask-api-postgresql",
        "express-minimal-none",
        "express-api-sqlite",
        "express-api-postgresql",
    ]
    # no --database: each variant on its own
    assert [c.id for c in matrix.expand(["django"], ["minimal", "full"], None)] == [
        "django-minimal-none",
        "django-full-sqlite",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-f", "flask,cobol", "--variant", "api"], 'unknown framework "cobol"'),
        (["-f", "flask,rails", "--variant", "api"], "the Ruby on Rails template is not available"),
        (["-f", "flask,,express", "--variant", "api"], "--framework has an empty value"),
        (["-f", "all", "--variant", "api,huge"], '--variant "huge" is not one of'),
        (["-f", "flask", "--variant", "all", "--database", "sqlite,oracle"], '--database "oracle" is not one of'),
        (["-f", "flask", "--variant", "api", "--jobs", "0"], "Invalid value for '--jobs'"),
        (["-f", "flask,express", "--variant", "api", "--keep"], "--keep keeps one project"),
        (["-f", "flask", "--variant", "api", "--junit", "no/such/out.xml"], "folder no/such does not exist"),
        (["-f", "flask", "--variant", "api", "--database", "sqlite,mysql"], "set STACKSTART_MYSQL_URL"),
        (["--list-matrix", "-f", "flask"], "--list-matrix takes no PATH"),
        ([".", "--database", "sqlite,mysql"], "a project has one database"),
    ],
)
def test_matrix_refuses_bad_values_before_writing_anything(args: list[str], message: str, temp_dir: Path) -> None:
    temp = temp_dir
    assert_usage_error(invoke("verify", *args), message, Path.cwd())
    assert tree(temp) == [], "a temporary folder was left behind"


# ---------------------------------------------------------------- running


def test_cases_run_jobs_at_a_time_each_in_its_own_folders(tmp_path: Path) -> None:
    both_running = threading.Barrier(2, timeout=60)  # passes only when two cases run at the same time
    projects: list[Path] = []

    def runner(case: matrix.Case, logs: Path, on_event: Events) -> VerifyReport:
        if case.framework == "flask":
            both_running.wait()
        report = render_only(case, logs, on_event)
        projects.append(report.project)
        return report

    cases = matrix.expand(["flask", "express"], ["minimal", "api"], None)
    results = matrix.run(cases, 2, tmp_path / "logs", runner=runner)
    assert [r.case for r in results] == cases  # in the order asked, whatever order they finished in
    assert all(r.passed for r in results), [r.as_json() for r in results]
    assert [[s.name for s in r.report.steps] for r in results if r.report] == [["render"]] * 4
    assert len(set(projects)) == 4
    assert sorted(p.name for p in (tmp_path / "logs").iterdir()) == sorted(c.id for c in cases)


def test_one_job_runs_cases_one_after_the_other(tmp_path: Path) -> None:
    running, most = 0, 0
    lock = threading.Lock()

    def runner(case: matrix.Case, logs: Path, on_event: Events) -> VerifyReport:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        try:
            return render_only(case, logs, on_event)
        finally:
            with lock:
                running -= 1

    matrix.run(matrix.expand(["flask", "express"], ["minimal"], None), 1, tmp_path, runner=runner)
    assert most == 1


def test_a_case_that_cannot_start_fails_alone(tmp_path: Path) -> None:
    def runner(case: matrix.Case, logs: Path, on_event: Events) -> VerifyReport:
        if case.framework == "express":
            raise ToolError("psql failed on 'CREATE DATABASE x': permission denied\nmore lines")
        return render_only(case, logs, on_event)

    results = matrix.run(matrix.expand(["flask", "express"], ["minimal"], None), 2, tmp_path, runner=runner)
    assert [r.passed for r in results] == [True, False]
    assert results[1].failure == "setup"
    assert results[1].error == "psql failed on 'CREATE DATABASE x': permission denied"


def test_an_interrupt_stops_the_cases_not_started_yet(tmp_path: Path) -> None:
    started: list[str] = []
    rendered: list[str] = []

    def runner(case: matrix.Case, logs: Path, on_event: Events) -> VerifyReport:
        started.append(case.id)
        if len(started) > 1:
            time.sleep(1)  # the main thread is stopping meanwhile: the next step must not begin
        report = render_only(case, logs, on_event)
        rendered.append(case.id)
        return report

    def interrupted(_result: matrix.CaseResult) -> None:
        raise KeyboardInterrupt

    cases = matrix.expand(["flask", "express", "django"], ["minimal"], None)
    with pytest.raises(KeyboardInterrupt):
        matrix.run(cases, 1, tmp_path, runner=runner, on_done=interrupted)
    assert rendered == ["flask-minimal-none"]
    assert "django-minimal-none" not in started  # cancelled before it began


def test_summary_names_the_failing_step_and_shows_the_log_tail(tmp_path: Path) -> None:
    def runner(case: matrix.Case, logs: Path, on_event: Events) -> VerifyReport:
        return (failing_at_test if case.framework == "express" else render_only)(case, logs, on_event)

    results = matrix.run(matrix.expand(["flask", "express"], ["api"], None), 2, tmp_path, runner=runner)
    table = matrix.format_summary(results, 12.0)
    assert table[0].split() == ["framework", "variant", "database", "result", "seconds", "failed", "step"]
    assert table[1].split()[:4] == ["flask", "api", "sqlite", "passed"]
    assert table[2].split()[:4] == ["express", "api", "sqlite", "FAILED"]
    assert table[2].split()[-1] == "test"
    assert table[-1] == "1 passed, 1 failed, 2 cases in 12.0s"
    failures = matrix.format_failures(results)
    assert failures[0] == "--- express-api-sqlite: test failed (exit code 1)"
    assert "    E   assert 500 == 200" in failures
    assert "collecting line 84" not in "\n".join(failures)  # the tail, not the whole log
    assert failures[-1] == f"    full log: {tmp_path / 'express-api-sqlite' / 'test.log'}"


# ---------------------------------------------------------------- the command


@pytest.fixture(autouse=True)
def temp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Temporary folders (the rendered projects, the logs) under this test's tmp_path."""
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    return temp


@pytest.fixture
def render_cases(monkeypatch: pytest.MonkeyPatch) -> Callable[[Callable[..., VerifyReport]], None]:
    def use(runner: Callable[..., VerifyReport]) -> None:
        monkeypatch.setattr(matrix, "_verify_case", runner)

    return use


def run_cli(*args: str) -> Result:
    return invoke("verify", *args)


def test_matrix_command_json_and_junit(render_cases: Callable[..., None]) -> None:
    render_cases(render_only)
    out = Path.cwd() / "out.xml"
    result = run_cli("-f", "flask,express", "--variant", "minimal,api", "-j", "2", "--json", "--junit", str(out))
    assert result.exit_code == 0, result.output
    doc = json_result(result.stdout, "verify")
    assert json.loads(result.stdout)["project"] is None
    assert doc["passed"] is True
    assert (doc["cases"], doc["failed"], doc["jobs"], doc["logs"]) == (4, 0, 2, None)
    assert [r["id"] for r in doc["results"]] == [
        "flask-minimal-none",
        "flask-api-sqlite",
        "express-minimal-none",
        "express-api-sqlite",
    ]
    assert doc["results"][1]["report"]["steps"][0]["name"] == "render"
    assert result.stderr == ""  # --json stays quiet
    SCHEMA.validate(str(out))
    suites = ET.parse(out).getroot().findall("testsuite")  # noqa: S314 (our own file)
    assert [s.get("name") for s in suites] == [
        "flask/minimal/none",
        "flask/api/sqlite",
        "express/minimal/none",
        "express/api/sqlite",
    ]
    assert [c.get("name") for c in suites[0].findall("testcase")] == ["step: render"]


def test_matrix_command_failure_text_exit_3_and_logs_kept(render_cases: Callable[..., None]) -> None:
    render_cases(lambda case, logs, ev: (failing_at_test if case.framework == "flask" else render_only)(case, logs, ev))
    out = Path.cwd() / "out.xml"
    result = run_cli("-f", "flask,express", "--variant", "minimal", "--jobs", "2", "--junit", str(out))
    assert result.exit_code == 3, result.output
    lines = result.stdout.splitlines()
    assert lines[-1].startswith("1 passed, 1 failed, 2 cases in ")
    row = next(line for line in lines if line.startswith("flask "))
    assert row.split()[3] == "FAILED"
    assert row.split()[-1] == "test"
    log = Path(next(line for line in lines if "full log:" in line).split("full log: ")[1])
    assert log.name == "test.log"
    assert "assert 500 == 200" in log.read_text()  # kept for the user to read
    assert "verifying 2 cases, 2 at a time" in result.stderr
    SCHEMA.validate(str(out))
    failure = ET.parse(out).getroot().find("testsuite/testcase[@name='step: test']/failure")  # noqa: S314 (our own file)
    assert failure is not None
    assert failure.get("message") == "exit code 1"
    assert "E   assert 500 == 200" in (failure.text or "")
    assert str(log) in (failure.text or "")
    assert log.is_relative_to(Path(tempfile.gettempdir()))


def test_list_matrix_is_every_framework_by_database_from_the_catalog() -> None:
    result = run_cli("--list-matrix", "--json")
    assert result.exit_code == 0, result.output
    rows = json_result(result.stdout, "verify")["include"]
    assert [(r["framework"], r["database"]) for r in rows] == [
        (f.key, d) for f in catalog.FRAMEWORKS for d in ("sqlite", "postgresql", "mysql")
    ]
    assert {r["framework"] for r in rows if not r["skip"]} == set(catalog.SHIPPED)
    skipped = {r["framework"]: r["skip"] for r in rows if r["skip"]}
    assert set(skipped) == {"laravel", "rails", "aspnet"}
    assert skipped["rails"] == "the Ruby on Rails template is not available yet"
    assert {r["variants"] for r in rows if r["database"] == "sqlite"} == {"minimal,api,full"}
    assert {r["variants"] for r in rows if r["database"] != "sqlite"} == {"api,full"}
    assert next(r for r in rows if r["framework"] == "express")["toolchain"] == ["node", "npm"]


# ---------------------------------------------------------------- junit details


def test_junit_counts_checks_skips_errors_and_drops_what_xml_cannot_hold(tmp_path: Path) -> None:
    from stackstart import contract

    report = VerifyReport(tmp_path, catalog.get("flask"), catalog.variant_options("api"), "api")
    report.steps = [
        StepResult("render", "passed", 0.5, "stackstart new", "ok"),
        StepResult("migrate", "skipped", detail="no database"),
        StepResult("contract", "failed", 3.0, "GET …", "GET /health: 500\x1b[0m\x00"),
    ]
    report.checks = [
        contract.Check("GET /health → 200", False, "got 500 \x07"),
        contract.Check("GET / → 200 HTML naming the project", True, ""),
    ]
    ok = matrix.CaseResult(matrix.Case("flask", "api", "sqlite"), report, 3.5, tmp_path)
    broken = matrix.CaseResult(matrix.Case("express", "api", "mysql"), None, 0.1, tmp_path, "no server")
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "report.xml"
    junit.write([ok, broken], 4.0, target)
    SCHEMA.validate(str(target))
    root = ET.parse(target).getroot()  # noqa: S314 (our own file)
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("6", "2", "1")
    first = root.findall("testsuite")[0]
    assert (first.get("tests"), first.get("failures"), first.get("skipped")) == ("5", "2", "1")
    assert "\x1b" not in target.read_text()
    assert [c.get("classname") for c in first.findall("testcase")][-2:] == ["flask-api-sqlite.contract"] * 2
    assert root.findall("testsuite")[1].find("testcase/error").get("message") == "no server"  # type: ignore[union-attr]
    assert os.listdir(tmp_path / "out") == ["report.xml"]  # written through a temporary file, none left


def test_the_schema_rejects_what_it_should() -> None:
    """The XSD is not a rubber stamp: a testcase without a name, or a failure outside a testcase, fail."""
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        SCHEMA.validate('<testsuites><testsuite name="a" tests="1"><testcase/></testsuite></testsuites>')
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        SCHEMA.validate('<testsuites><testsuite name="a" tests="1"><failure/></testsuite></testsuites>')


# ---------------------------------------------------------------- the child process of a case


def test_a_case_runs_in_a_child_process_and_its_error_is_one_line(tmp_path: Path) -> None:
    """The real runner: the child's one-line error (here: no MySQL server configured) fails the case."""
    with pytest.raises(ToolError, match=r"^verifying on MySQL needs a server: set STACKSTART_MYSQL_URL="):
        matrix._verify_case(matrix.Case("flask", "api", "mysql"), tmp_path, lambda _event, _result: None)
    said = envelope_of((tmp_path / "verify.json").read_text(), "verify")  # the child's --json error envelope
    assert said["error"]["exit_code"] == 2
    assert said["error"]["message"].startswith("verifying on MySQL needs a server: set STACKSTART_MYSQL_URL=")


def test_a_report_survives_the_trip_through_json(tmp_path: Path) -> None:
    from stackstart import contract, fuzz

    report = VerifyReport(tmp_path, catalog.get("express"), catalog.variant_options("full", "mysql"), "full")
    report.steps = [StepResult("render", "passed", 1.25, "stackstart new", "ok"), StepResult("migrate", "skipped")]
    report.checks = [contract.Check("GET /health → 200", False, "got 500")]
    report.database_server = "MariaDB 10.11"
    report.fuzz = fuzz.FuzzResult("failed", "", operations=3, cases=40, checks=120, failures=["x"], unreached=["y"])
    document = json.loads(json.dumps(envelope.success("verify", report.as_json(), ("shop", tmp_path))))
    back = matrix.report_from_json(document)
    assert back.as_json() == report.as_json()
    assert (back.name, back.project) == ("shop", tmp_path)


def test_ctrl_c_stops_every_case_and_leaves_nothing_behind(tmp_path: Path) -> None:
    """Real children, stopped in the middle of their install: exit 130, no project, log or staging folder left."""
    temp = tmp_path / "tmp-ctrl-c"
    temp.mkdir()
    env = os.environ | {"TMPDIR": str(temp)}
    parent = subprocess.Popen(
        [sys.executable, "-m", "stackstart", "verify", "-f", "flask,django", "--variant", "minimal", "--jobs", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 300
    while len(list(temp.glob("stackstart-verify-logs-*/*/install.log"))) < 2:  # both children are installing
        assert parent.poll() is None, parent.communicate()
        assert time.monotonic() < deadline, "the cases never reached their install step"
        time.sleep(0.2)
    parent.send_signal(signal.SIGINT)
    out, err = parent.communicate(timeout=120)
    assert parent.returncode == 130, out + err
    assert err.splitlines()[-1] == "error: interrupted; nothing was left behind"
    assert sorted(p.name for p in temp.iterdir()) == [], "left behind"


def test_a_single_case_keeps_its_own_json_and_writes_junit_too(monkeypatch: pytest.MonkeyPatch) -> None:
    real = verify.verify
    monkeypatch.setattr(verify, "verify", lambda **kwargs: real(**kwargs, until="render"))
    out = Path.cwd() / "one.xml"
    result = run_cli("-f", "flask", "--variant", "minimal", "--json", "--junit", str(out))
    assert result.exit_code == 0, result.output
    report = json_result(result.stdout, "verify")
    assert json.loads(result.stdout)["project"]["name"] == "smoke-minimal"
    assert set(report) >= {"framework", "variant", "options", "passed", "steps", "checks"}
    assert "results" not in report
    SCHEMA.validate(str(out))
    suites = ET.parse(out).getroot().findall("testsuite")  # noqa: S314 (our own file)
    assert [s.get("name") for s in suites] == ["flask/minimal/none"]
    assert [c.get("name") for c in suites[0].findall("testcase")] == ["step: render"]
