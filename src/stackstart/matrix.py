"""`stackstart verify` over a matrix: framework x variant x database, several at once.

Each case is one ``stackstart verify --json`` in a child process: a case
takes its own temporary project folder, free ports and throwaway databases,
but rendering points ``tempfile`` and ``$TMPDIR`` at a staging folder for the
whole process (scratch.temp_root), so two renders must not share a process.
Threads only wait for the children. Every case writes its step logs under
``LOGS/<case id>/`` so that a failing step can point at its full log; the
matrix CI should run is derived from the catalog (:func:`ci_matrix`).
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stackstart import catalog, contract, envelope, fuzz
from stackstart.catalog import Options
from stackstart.errors import StackstartError, ToolError, UsageError, quote
from stackstart.verify import StepResult, VerifyReport

__all__ = [
    "SERVER_DATABASES",
    "Case",
    "CaseResult",
    "ci_matrix",
    "expand",
    "format_failures",
    "format_summary",
    "matrix_json",
    "report_from_json",
    "run",
    "split",
]

SERVER_DATABASES: tuple[str, ...] = ("sqlite", "postgresql", "mysql")  # what --database accepts
# the log file that holds a step's full output, when it is not STEP.log
_LOG_OF = {"contract": "boot.log", "schemathesis": "schemathesis"}
TAIL_LINES = 15


def split(text: str, choices: Sequence[str], option: str) -> tuple[str, ...]:
    """``a,b`` or ``all`` as a tuple of values from ``choices``; anything else is a :class:`UsageError`."""
    values = [value.strip().lower() for value in text.split(",")]
    if any(not value for value in values):
        raise UsageError(f"{option} {quote(text)} has an empty value (give a comma-separated list, or all)")
    if "all" in values:
        if len(values) > 1:
            raise UsageError(f"{option} {quote(text)}: all already means every value (give all alone)")
        return tuple(choices)
    for value in values:
        if value not in choices:
            raise UsageError(f"{option} {quote(value)} is not one of {', '.join(choices)} (or all)")
    return tuple(dict.fromkeys(values))


@dataclass(frozen=True)
class Case:
    """One cell of the matrix."""

    framework: str
    variant: str
    database: str  # the database the variant runs on: none, sqlite, postgresql or mysql

    @property
    def id(self) -> str:
        """``flask-api-sqlite``: the folder name of its logs and the JUnit suite's id."""
        return f"{self.framework}-{self.variant}-{self.database}"

    @property
    def title(self) -> str:
        """``flask/api/sqlite``: the JUnit suite's name."""
        return f"{self.framework}/{self.variant}/{self.database}"


def expand(frameworks: Iterable[str], variants: Iterable[str], databases: Sequence[str] | None) -> list[Case]:
    """Every case of the product, in order, once each.

    ``databases`` None: each variant on its own database. A variant without a
    database (minimal) runs once whatever ``databases`` says.
    """
    cases: dict[Case, None] = {}
    variants = tuple(variants)
    for framework in frameworks:
        for variant in variants:
            for database in databases or (None,):
                options = catalog.variant_options(variant, database)
                cases[Case(framework, variant, options.database)] = None
    return list(cases)


@dataclass
class CaseResult:
    """How one case went: its report, or the one-line error that stopped it before any step."""

    case: Case
    report: VerifyReport | None
    seconds: float
    logs: Path
    error: str = ""

    @property
    def passed(self) -> bool:
        """True when the case ran and no step failed."""
        return self.report is not None and not self.error and self.report.passed

    @property
    def failed_step(self) -> StepResult | None:
        """The first failed step, if any."""
        if self.report is None:
            return None
        return next((step for step in self.report.steps if step.status == "failed"), None)

    @property
    def failure(self) -> str:
        """Where it failed: the step's name, ``setup`` for an error before the steps, else empty."""
        step = self.failed_step
        return step.name if step else ("setup" if self.error else "")

    def log_of(self, step: StepResult) -> Path | None:
        """The file (or folder) holding ``step``'s full output, when there is one."""
        found = self.logs / _LOG_OF.get(step.name, f"{step.name}.log")
        return found if found.exists() else None

    def tail(self, lines: int = TAIL_LINES) -> str:
        """The last lines of the failing step's log (its detail when it has no log file)."""
        step = self.failed_step
        if step is None:
            return self.error
        log = self.log_of(step)
        if log is not None and log.is_file():
            text = log.read_text(encoding="utf-8", errors="replace").rstrip()
            if text:
                return "\n".join(text.splitlines()[-lines:])
        return "\n".join(step.detail.rstrip().splitlines()[-lines:])

    def as_json(self) -> dict[str, object]:
        """One case of the matrix ``--json`` document."""
        step = self.failed_step
        log = self.log_of(step) if step else None
        return {
            "id": self.case.id,
            "framework": self.case.framework,
            "variant": self.case.variant,
            "database": self.case.database,
            "passed": self.passed,
            "seconds": round(self.seconds, 2),
            "failed_step": self.failure or None,
            "error": self.error or None,
            "log": str(log) if log else None,
            "log_tail": self.tail() if not self.passed else None,
            "project": str(self.report.project) if self.report else None,
            "report": self.report.as_json() if self.report else None,
        }


class _Cancelled(BaseException):
    """Raised inside a running case when the matrix is stopping (Ctrl-C in the main thread)."""


Runner = Callable[[Case, Path, Callable[[str, "StepResult | None"], None]], VerifyReport]


def report_from_json(document: dict[str, Any]) -> VerifyReport:
    """A :class:`VerifyReport` back from the ``verify --json`` envelope a child process printed."""
    project = document["project"]
    document = dict(envelope.result_of(document))
    fuzzed = document.get("schemathesis")
    return VerifyReport(
        project=Path(project["path"]),
        name=project["name"],
        framework=catalog.get(document["framework"]),
        options=Options(**document["options"]),
        variant=document["variant"],
        steps=[StepResult(**step) for step in document["steps"]],
        checks=[contract.Check(**check) for check in document["checks"]],
        database_server=document["database_server"],
        fuzz=None
        if fuzzed is None
        else fuzz.FuzzResult(
            fuzzed["status"],
            "",
            operations=fuzzed["operations"],
            cases=fuzzed["test_cases"],
            checks=fuzzed["checks"],
            failures=fuzzed["failures"],
            unreached=fuzzed["unreached_statuses"],
        ),
    )


def _verify_case(case: Case, logs: Path, on_event: Callable[[str, StepResult | None], None]) -> VerifyReport:
    """``stackstart verify --json`` of one case in a child process (see the module's docstring for why)."""
    argv = [sys.executable, "-m", "stackstart", "verify", "--json", "--logs", str(logs)]
    argv += ["--framework", case.framework, "--variant", case.variant]
    if case.database != "none":
        argv += ["--database", case.database]
    on_event("start", None)
    out, err = logs / "verify.json", logs / "verify.stderr"
    with out.open("w", encoding="utf-8") as stdout, err.open("w", encoding="utf-8") as stderr:
        # its own session: an interrupt of the matrix must not SIGKILL it (interrupts.stop_descendants
        # spares other sessions) but ask it to stop below, so that it removes its folders and databases
        child = subprocess.Popen(argv, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            while child.poll() is None:
                on_event("start", None)  # raises when the matrix is stopping
                time.sleep(0.2)
        except BaseException:
            child.send_signal(signal.SIGTERM)  # the child cleans up its folders and databases, then exits 143
            try:
                child.wait(timeout=60)
            except subprocess.TimeoutExpired:
                child.kill()
            raise
    output = out.read_text(encoding="utf-8")
    if child.returncode in (0, 3) and output.startswith("{"):
        return report_from_json(json.loads(output))
    said = [line for line in err.read_text(encoding="utf-8").splitlines() if line.strip()]
    message = said[0].removeprefix("error: ") if said else f"stackstart verify exited with {child.returncode}"
    raise ToolError(message)


def run(
    cases: Sequence[Case],
    jobs: int,
    logs: Path,
    *,
    on_done: Callable[[CaseResult], None] | None = None,
    runner: Runner | None = None,
) -> list[CaseResult]:
    """Run ``cases``, ``jobs`` at a time, logs under ``logs/<case id>``; the results in the order of ``cases``.

    A case that raises a :class:`StackstartError` (no database server, a
    failed ``CREATE DATABASE``) is a failed case, not the end of the matrix.
    An interrupt stops the cases still waiting and makes the running ones stop
    at their next step (their ``finally`` blocks still clean up).
    """
    stopping = threading.Event()
    lock = threading.Lock()
    run_case = runner or _verify_case

    def one(case: Case) -> CaseResult:
        folder = logs / case.id
        folder.mkdir(parents=True, exist_ok=True)

        def on_event(event: str, _result: StepResult | None) -> None:
            if event == "start" and stopping.is_set():
                raise _Cancelled

        started = time.monotonic()
        try:
            report: VerifyReport | None = run_case(case, folder, on_event)
            error = ""
        except StackstartError as failure:
            report, error = None, str(failure).splitlines()[0] if str(failure) else type(failure).__name__
        result = CaseResult(case, report, time.monotonic() - started, folder, error)
        if on_done is not None:
            with lock:
                on_done(result)
        return result

    results: dict[Case, CaseResult] = {}
    with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="stackstart-verify") as pool:
        futures: dict[Future[CaseResult], Case] = {pool.submit(one, case): case for case in cases}
        try:
            for future in as_completed(futures):
                results[futures[future]] = future.result()
        except BaseException:
            stopping.set()
            for future in futures:
                future.cancel()
            raise
    return [results[case] for case in cases]


def format_summary(results: Sequence[CaseResult], wall: float) -> list[str]:
    """The summary table (framework x variant x database → result, seconds, failing step) and a total line."""
    rows = [("framework", "variant", "database", "result", "seconds", "failed step")]
    for result in results:
        rows.append(
            (
                result.case.framework,
                result.case.variant,
                result.case.database,
                "passed" if result.passed else "FAILED",
                f"{result.seconds:.1f}",
                result.failure or "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [cell.rjust(widths[i]) if i == 4 else cell.ljust(widths[i]) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    passed = sum(result.passed for result in results)
    failed = len(results) - passed
    lines.append(f"{passed} passed, {failed} failed, {len(results)} cases in {wall:.1f}s")
    return lines


def format_failures(results: Sequence[CaseResult]) -> list[str]:
    """For each failed case: which step, the last lines of its log, and where the full log is."""
    lines: list[str] = []
    for result in results:
        if result.passed:
            continue
        step = result.failed_step
        if step is None:
            lines.append(f"--- {result.case.id}: {result.error or 'no step failed, yet the case did not pass'}")
            continue
        log = result.log_of(step)
        lines.append(f"--- {result.case.id}: {step.name} failed ({(step.detail.splitlines() or [''])[0]})")
        lines.extend("    " + line for line in result.tail().splitlines())
        lines.append(f"    full log: {log if log else result.logs}")
    return lines


def matrix_json(results: Sequence[CaseResult], wall: float, jobs: int, logs: Path | None) -> dict[str, object]:
    """The ``--json`` document of a matrix run."""
    return {
        "passed": all(result.passed for result in results),
        "cases": len(results),
        "failed": sum(not result.passed for result in results),
        "jobs": jobs,
        "seconds": round(wall, 2),
        "logs": str(logs) if logs else None,
        "results": [result.as_json() for result in results],
    }


def ci_matrix() -> dict[str, object]:
    """The matrix CI runs (``verify --list-matrix --json``): one row per framework x database, from the catalog.

    A framework whose template is not shipped yet keeps its rows with a
    ``skip`` reason, so it shows up in CI as skipped and turns on by itself
    when it joins ``catalog.SHIPPED``. On a server database only the variants
    that use a database run (minimal has none: it runs in the sqlite row).
    """
    rows: list[dict[str, object]] = []
    for framework in catalog.FRAMEWORKS:
        for database in SERVER_DATABASES:
            variants = [
                name for name, options in catalog.VARIANTS.items() if database == "sqlite" or options.database != "none"
            ]
            rows.append(
                {
                    "framework": framework.key,
                    "title": framework.title,
                    "database": database,
                    "variants": ",".join(variants),
                    "toolchain": list(framework.toolchain),
                    "skip": "" if framework.available else f"the {framework.title} template is not available yet",
                }
            )
    return {"include": rows}
