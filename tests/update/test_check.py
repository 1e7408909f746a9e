"""`stackstart update --check`: exit 0 when on the installed release, 5 when an update is available (for CI)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from stackstart import __version__
from tests.helpers import json_result
from tests.unit.test_cli import _Entry
from tests.update.conftest import TemplateRepo, head, status

pytestmark = pytest.mark.update


def check(project: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(_Entry(), ["update", str(project), "--check", *args])  # type: ignore[arg-type]
    return result.exit_code, result.stdout, result.stderr


def test_check_says_up_to_date_then_update_available(
    template_repo: TemplateRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = template_repo.new(tmp_path, template_repo.release("v1"))
    monkeypatch.setenv("STACKSTART_TEMPLATE_SOURCE", str(template_repo.path))
    code, out, err = check(project)
    assert code == 0, err
    assert "up to date" in out
    code, out, _ = check(project, "--json")
    assert code == 0
    assert json.loads(out) == {
        "schema": 1,
        "stackstart": __version__,
        "command": "update",
        "project": {"name": "shop", "path": str(project)},
        "result": {"framework": "flask", "from": "v1", "to": "v1", "update_available": False},
    }
    assert json_result(out, "update") == {
        "framework": "flask",
        "from": "v1",
        "to": "v1",
        "update_available": False,
    }

    template_repo.release("v2", lambda flask: (flask / "CHANGELOG.md").write_text("v2\n"))
    (project / "README.md").write_text("work in progress\n")  # CI checkouts may be dirty: check only reads
    before_head, before_status = head(project), status(project)
    code, out, err = check(project)
    assert code == 5, err
    assert "v1 → v2" in out
    assert "stackstart update" in out
    code, out, _ = check(project, "--json")
    assert code == 5
    doc = json_result(out, "update")
    assert (doc["from"], doc["to"], doc["update_available"]) == ("v1", "v2", True)
    assert head(project) == before_head
    assert status(project) == before_status


@pytest.mark.parametrize("extra", [["--auth"], ["--dry-run"], ["--database", "mysql"], ["--conflict", "rej"]])
def test_check_takes_no_other_option(
    template_repo: TemplateRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: list[str]
) -> None:
    project = template_repo.new(tmp_path, template_repo.release("v1"))
    monkeypatch.setenv("STACKSTART_TEMPLATE_SOURCE", str(template_repo.path))
    code, _, err = check(project, *extra)
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "--check" in err


def test_check_outside_a_project_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = check(tmp_path)
    assert code == 2
    assert "is not a stackstart project" in err
