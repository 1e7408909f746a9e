"""One JSON envelope for every --json command (docs/json.md), errors included, and one table of exit codes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from stackstart import __version__, catalog, errors, verify
from stackstart.errors import EXIT_CODES, INTERNAL_ERROR, UpdateConflicts, UsageError, VerifyFailed
from stackstart.verify import StepResult, VerifyReport
from tests.helpers import envelope, json_result
from tests.unit.test_cli import invoke, tree

ROOT = Path(__file__).resolve().parents[2]


def _new_project(*options: str) -> Path:
    made = invoke("new", "shop", "-f", "flask", "--defaults", *options)
    assert made.exit_code == 0, made.output
    return Path.cwd() / "shop"


def test_every_command_prints_one_envelope_with_options_as_values() -> None:
    project = _new_project()
    runs = {
        "new": (invoke("new", "other", "-f", "flask", "--auth", "--json"), ("other", Path.cwd() / "other")),
        "new --dry-run": (invoke("new", "dry", "-f", "flask", "--dry-run", "--json"), ("dry", Path.cwd() / "dry")),
        "list": (invoke("list", "--json"), None),
        "doctor": (invoke("doctor", "--json"), None),
        "update": (invoke("update", "shop", "--json"), ("shop", project)),
        "update --check": (invoke("update", "shop", "--check", "--json"), ("shop", project)),
        "verify --list-matrix": (invoke("verify", "--list-matrix", "--json"), None),
    }
    for what, (result, project_ref) in runs.items():
        assert result.exit_code == 0, (what, result.output)
        doc = envelope(result.stdout, what.split()[0])
        assert doc["stackstart"] == __version__
        assert "result" in doc, what
        expected = None if project_ref is None else {"name": project_ref[0], "path": str(project_ref[1])}
        assert doc["project"] == expected, what
        options = doc["result"].get("options")
        if options is not None:  # the same shape everywhere: option name → value
            assert list(options) == [spec.name for spec in catalog.OPTIONS], what
            assert all(isinstance(value, (bool, str)) for value in options.values()), what
    assert json_result(runs["new"][0].stdout, "new")["options"]["auth"] is True
    assert json_result(runs["update"][0].stdout, "update")["options"] == catalog.Options().as_data()
    assert json_result(runs["update --check"][0].stdout, "update")["update_available"] is False


@pytest.mark.parametrize(
    ("args", "command", "message"),
    [
        (["new", "shop", "-f", "cobol", "--json"], "new", 'unknown framework "cobol"'),  # our own check
        (["new", "shop", "-f", "flask", "--ci", "gitlab", "--json"], "new", "Invalid value for '--ci'"),  # click's
        (["new", "shop", "--json", "-f", "flask", "--frobnicate"], "new", "No such option '--frobnicate'"),
        (["new", "--json"], "new", "Missing argument 'NAME'"),
        (["update", "nowhere", "--json"], "update", "nowhere is not a directory"),
        (["update", "nowhere", "--check", "--auth", "--json"], "update", "--check only reads the project"),
        (["verify", "--framework", "rails", "--variant", "api", "--json"], "verify", "not available"),
        (["verify", "--list-matrix", "--keep", "--json"], "verify", "--list-matrix takes no PATH"),
    ],
)
def test_an_error_under_json_is_an_envelope_too_with_the_same_exit_code(
    args: list[str], command: str, message: str
) -> None:
    plain = invoke(*[arg for arg in args if arg != "--json"])
    result = invoke(*args)
    assert result.exit_code == plain.exit_code == 2
    doc = envelope(result.stdout, command)
    assert doc["project"] is None
    assert doc["error"]["exit_code"] == 2
    assert message in doc["error"]["message"]
    assert result.stderr == f"error: {doc['error']['message']}" + plain.stderr.split(doc["error"]["message"], 1)[1]
    assert len(result.stderr.splitlines()) == 1
    assert tree(Path.cwd()) == []


def test_without_json_stdout_stays_empty_on_error() -> None:
    result = invoke("new", "shop", "-f", "cobol")
    assert result.exit_code == 2
    assert result.stdout == ""


def test_an_internal_error_under_json(monkeypatch: pytest.MonkeyPatch) -> None:
    from stackstart import generate

    def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(generate, "prepare", crash)
    result = invoke("new", "shop", "-f", "flask", "--json")
    assert result.exit_code == INTERNAL_ERROR
    assert envelope(result.stdout, "new")["error"] == {
        "message": "internal error: RuntimeError: a bug",
        "exit_code": INTERNAL_ERROR,
    }
    assert result.stderr == "error: internal error: RuntimeError: a bug (run with --debug for the traceback)\n"


def _fake_report(passed: bool) -> Any:
    def fake(**kwargs: Any) -> VerifyReport:
        report = VerifyReport(
            Path.cwd() / "smoke-api", catalog.get("flask"), catalog.variant_options("api"), "api", name="smoke-api"
        )
        report.steps = [StepResult("render", "passed", 0.5, "stackstart new")]
        if not passed:
            report.steps.append(StepResult("test", "failed", 1.0, ".venv/bin/pytest", "exit code 1"))
        return report

    return fake


@pytest.mark.parametrize("as_json", [False, True])
def test_a_failed_verify_raises_verify_failed_exit_3(monkeypatch: pytest.MonkeyPatch, as_json: bool) -> None:
    monkeypatch.setattr(verify, "verify", _fake_report(passed=False))
    result = invoke("verify", "-f", "flask", "--variant", "api", *(["--json"] if as_json else []))
    assert result.exit_code == VerifyFailed.exit_code == 3
    assert result.stderr == "error: verify failed at step test (flask sqlite-auth-ci)\n"
    if as_json:  # the report, not an error document: the command ran to its end
        doc = envelope(result.stdout, "verify")
        assert doc["project"] == {"name": "smoke-api", "path": str(Path.cwd() / "smoke-api")}
        assert doc["result"]["passed"] is False
        assert [s["status"] for s in doc["result"]["steps"]] == ["passed", "failed"]
    else:
        assert result.stdout.splitlines()[-1] == "FAILED: flask sqlite-auth-ci"


def test_a_passed_verify_exits_0(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verify, "verify", _fake_report(passed=True))
    result = invoke("verify", "-f", "flask", "--variant", "api", "--json")
    assert result.exit_code == 0, result.output
    assert json_result(result.stdout, "verify")["passed"] is True
    assert result.stderr == ""


def test_a_matrix_child_error_envelope_becomes_its_one_line(tmp_path: Path) -> None:
    """The matrix reads its children's envelopes: a child's error document is not taken for a report."""
    from stackstart import envelope as module
    from stackstart import matrix

    with pytest.raises(ValueError, match="no database server"):
        matrix.report_from_json(module.failure("verify", "no database server", 2))


def _table(text: str, heading: str) -> dict[int, str]:
    table = text.split(heading, 1)[1].split("\n\n", 2)[1]
    return {int(code): meaning for code, meaning in re.findall(r"^\| (\d+) \| (.+?) \|$", table, flags=re.M)}


def test_one_exit_code_table_in_errors_the_readme_and_the_exceptions() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert _table(readme, "Exit codes (`src/stackstart/errors.py`):") == EXIT_CODES
    assert _table(errors.__doc__ or "", "One exception hierarchy") == EXIT_CODES
    assert set(EXIT_CODES) >= {0, 1, 2, 3, 4, 5, INTERNAL_ERROR, 129, 130, 143}
    distinct = [errors.ToolError, UsageError, VerifyFailed, UpdateConflicts, errors.UpdateAvailable]
    assert len({cls.exit_code for cls in distinct} | {INTERNAL_ERROR}) == len(distinct) + 1
    assert (VerifyFailed.exit_code, UpdateConflicts.exit_code, errors.UpdateAvailable.exit_code) == (3, 4, 5)


def test_help_and_version_exit_0_and_unknown_command_2() -> None:
    for args, code in ((["--help"], 0), (["--version"], 0), (["frobnicate"], 2), (["new", "--help"], 0)):
        done = subprocess.run([sys.executable, "-m", "stackstart", *args], capture_output=True, text=True, check=False)
        assert done.returncode == code, (args, done.stderr)
        assert "Traceback" not in done.stderr


def test_json_doc_is_linked_from_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/json.md" in readme
    doc = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")
    for key in ("schema", "stackstart", "command", "project", "result", "error", "exit_code"):
        assert f"`{key}`" in doc, key
    assert json.loads(doc.split("```json\n", 1)[1].split("```", 1)[0])["schema"] == 1
