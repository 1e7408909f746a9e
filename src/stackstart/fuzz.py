"""The `schemathesis` step of verify: a third-party fuzzer attacks the booted output from its own OpenAPI document.

schemathesis (PyPI, the ``verify`` extra) runs as a separate process
(``python -m schemathesis.cli run``) against ``/openapi.json`` with every
check it has (no 5xx, responses and headers conform to the document,
negative data rejected, undeclared methods refused, auth not ignored, …).
It logs in itself through the document's bearer scheme with a user this
step registers (``[auth.dynamic]``: a real token, fetched again on a 401, so
the fuzzed logout does not blind the rest of the run). Its NDJSON event log
gives the figures: operations tested, test cases, checks run, failures, and
which status codes each operation answered. A status code the document
declares that neither schemathesis nor the contract checker ever saw is a
failure too: the document must not promise answers the app never gives.
"""

from __future__ import annotations

import importlib.util
import json
import re
import secrets
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from stackstart import contract

__all__ = ["MAX_EXAMPLES", "SEED", "FuzzResult", "available", "run_schemathesis"]

MAX_EXAMPLES = 20  # per operation and phase: about a minute per output on a loaded 2-core machine
SEED = 1  # reproducible runs in CI; the report says which seed
TIMEOUT = 900.0
# Schema-valid registrations are still refused when the email is taken (hypothesis replays its examples):
# a business rule no JSON schema can state, so 422 counts as an acceptable answer there and nowhere else.
_CONFIG = """\
[[operations]]
include-path = "/api/auth/register"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]
"""
_DYNAMIC_AUTH = """
[auth.dynamic.openapi.{scheme}]
path = "/api/auth/login"
payload = {{ email = "${{STACKSTART_FUZZ_EMAIL}}", password = "${{STACKSTART_FUZZ_PASSWORD}}" }}
extract_selector = "/token"
retry_on = [401]
"""


@dataclass
class FuzzResult:
    """What one schemathesis run found."""

    status: Literal["passed", "failed", "skipped"]
    summary: str
    command: str = ""
    operations: int = 0
    cases: int = 0
    checks: int = 0
    failures: list[str] = field(default_factory=list)
    unreached: list[str] = field(default_factory=list)


def available() -> bool:
    """Whether schemathesis is installed beside stackstart."""
    return importlib.util.find_spec("schemathesis") is not None


def _documented(document: Mapping[str, object]) -> dict[str, set[str]]:
    """``"POST /api/items"`` → the status codes the document declares for it."""
    found: dict[str, set[str]] = {}
    paths = document.get("paths")
    for path, operations in paths.items() if isinstance(paths, dict) else []:
        for method, operation in operations.items() if isinstance(operations, dict) else []:
            if isinstance(operation, dict) and isinstance(operation.get("responses"), dict):
                found[f"{method.upper()} {path}"] = {str(code) for code in operation["responses"]}
    return found


def _template(label: str) -> re.Pattern[str]:
    method, _, path = label.partition(" ")
    return re.compile(re.escape(method) + " " + re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(path)))


def _bearer_schemes(document: Mapping[str, object]) -> list[str]:
    components = document.get("components")
    schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    return [
        name
        for name, scheme in (schemes.items() if isinstance(schemes, dict) else [])
        if isinstance(scheme, dict) and scheme.get("type") == "http" and str(scheme.get("scheme")).lower() == "bearer"
    ]


def _read_events(folder: Path) -> tuple[set[str], int, int, list[str], set[tuple[str, str, int]]]:
    """Operations tested, test cases, checks run, failures and errors, and (method, path, status) seen.

    Read from schemathesis's NDJSON event log.
    """
    operations: set[str] = set()
    cases = checks = 0
    failures: dict[str, None] = {}
    seen: set[tuple[str, str, int]] = set()
    for log in folder.glob("*.ndjson"):
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            event = json.loads(line) if line.startswith("{") else {}
            error = event.get("NonFatalError") or event.get("FatalError")
            if isinstance(error, dict):
                value = error.get("value") or {}
                failures[f"{error.get('label', 'run')}: error {value.get('type')}: {value.get('message')}"] = None
            finished = event.get("ScenarioFinished")
            if not isinstance(finished, dict) or finished.get("status") == "skip":
                continue
            recorder = finished.get("recorder") or {}
            label = str(recorder.get("label", ""))
            if re.match(r"[A-Z]+ /", label):  # not the "Stateful tests" scenarios
                operations.add(label)
            cases += len(recorder.get("cases") or {})
            for results in (recorder.get("checks") or {}).values():
                for result in results:
                    checks += 1
                    if result.get("status") == "failure":
                        failures[f"{label}: {result.get('name')}"] = None
            for interaction in (recorder.get("interactions") or {}).values():
                request, response = interaction.get("request") or {}, interaction.get("response") or {}
                if response.get("status_code"):
                    path = re.sub(r"^\w+://[^/]+", "", str(request.get("uri", ""))).split("?")[0]
                    seen.add((str(request.get("method", "")), path, int(response["status_code"])))
    return operations, cases, checks, list(failures), seen


def run_schemathesis(
    base_url: str,
    workdir: Path,
    *,
    auth: bool,
    observed: Iterable[tuple[str, str, int]] = (),
    env: Mapping[str, str] | None = None,
    max_examples: int = MAX_EXAMPLES,
    phases: Sequence[str] = (),
) -> FuzzResult:
    """Fuzz the server at ``base_url`` from its ``/openapi.json``; ``observed`` adds the checker's answers.

    ``phases``: schemathesis's test phases to run (examples, coverage, fuzzing, stateful); all when empty.
    """
    command = f"schemathesis run {base_url}/openapi.json --checks all --max-examples {max_examples} --seed {SEED}"
    if not available():
        return FuzzResult("skipped", "schemathesis is not installed (pip install 'stackstart[verify]')", command)
    try:
        answer = contract.request(base_url, "GET", "/openapi.json")
        document = answer.json() if answer.status == 200 else None
    except (OSError, ValueError) as error:
        return FuzzResult("failed", f"/openapi.json is not a JSON document: {error}", command)
    if not isinstance(document, dict):
        return FuzzResult("failed", f"GET /openapi.json answered {answer.status}, not an OpenAPI document", command)
    documented = _documented(document)
    if not any(label.split(" ", 1)[1].startswith("/api/") for label in documented):
        return FuzzResult(
            "skipped", "the OpenAPI document has no /api operation (no database in this variant)", command
        )
    config = _CONFIG
    fuzz_env = dict(env or {})
    if auth:
        email = f"fuzz-{secrets.token_hex(4)}@example.com"
        password = secrets.token_urlsafe(18)
        registered = contract.request(base_url, "POST", "/api/auth/register", {"email": email, "password": password})
        login = contract.request(base_url, "POST", "/api/auth/login", {"email": email, "password": password})
        if registered.status != 201 or login.status != 200:
            return FuzzResult(
                "failed",
                f"could not register and log in the fuzzing user ({registered.status}, {login.status})",
                command,
            )
        schemes = _bearer_schemes(document)
        if not schemes:
            return FuzzResult("failed", "the OpenAPI document has no http bearer security scheme", command)
        config += "".join(_DYNAMIC_AUTH.format(scheme=name) for name in schemes)
        fuzz_env |= {"STACKSTART_FUZZ_EMAIL": email, "STACKSTART_FUZZ_PASSWORD": password}
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "schemathesis.toml").write_text(config, encoding="utf-8")
    reports = workdir / "reports"
    argv = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(workdir / "schemathesis.toml"),
        "--no-color",
        "run",
        f"{base_url}/openapi.json",
        "--url",
        base_url,
        "--checks",
        "all",
        "--max-examples",
        str(max_examples),
        "--workers",
        "1",
        "--seed",
        str(SEED),
        "--request-timeout",
        "30",
        "--report",
        "ndjson",
        "--report-dir",
        str(reports),
        *(["--phases", ",".join(phases)] if phases else []),
    ]
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=TIMEOUT, check=False, env=fuzz_env or None, cwd=workdir
        )
    except subprocess.TimeoutExpired:
        return FuzzResult("failed", f"schemathesis did not finish within {TIMEOUT:.0f}s", command)
    (workdir / "schemathesis.log").write_text(done.stdout + done.stderr, encoding="utf-8")
    operations, cases, checks, failures, seen = _read_events(reports)
    seen |= set(observed)
    unreached = []
    for label, codes in sorted(documented.items()):
        pattern = _template(label)
        answered = {str(status) for method, path, status in seen if pattern.fullmatch(f"{method} {path}")}
        unreached += [f"{label} → {code}" for code in sorted(codes - answered) if code != "default"]
    result = FuzzResult("passed", "", command, len(operations), cases, checks, failures, unreached)
    result.summary = (
        f"{len(operations)} operations tested, {cases} test cases, {checks} checks run, "
        f"{len(failures)} failed checks; seed {SEED}"
    )
    problems = []
    if failures:
        problems.append("failed: " + "; ".join(failures[:20]))
        section = done.stdout.split("FAILURES", 1)[-1] if "FAILURES" in done.stdout else done.stdout
        problems.append(_excerpt(section))
    if unreached:
        problems.append("documented but never answered (by schemathesis or the checker): " + "; ".join(unreached))
    if done.returncode not in (0, 1) or (done.returncode == 1 and not failures):
        problems.append(f"schemathesis exited {done.returncode}: {_excerpt(done.stdout + done.stderr)}")
    if not operations:
        problems.append("schemathesis tested no operation")
    if problems:
        result.status = "failed"
        result.summary += "\n" + "\n".join(problems)
    return result


def _excerpt(text: str, lines: int = 60) -> str:
    return "\n".join(text.strip().splitlines()[:lines])
