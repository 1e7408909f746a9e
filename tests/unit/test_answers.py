"""The answers file names its framework as a user may type it: one lookup, used by verify and update alike."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from stackstart import catalog, project_files, verify
from stackstart.errors import UsageError
from tests.unit.test_cli import assert_usage_error, invoke


def _project_naming(framework: str, written: str) -> Path:
    """A generated, committed project whose answers file says ``framework: WRITTEN``."""
    made = invoke("new", "shop", "-f", framework, "--defaults")
    assert made.exit_code == 0, made.output
    project = Path.cwd() / "shop"
    answers = project / ".copier-answers.yml"
    text = answers.read_text()
    assert f"framework: {framework}\n" in text
    answers.write_text(text.replace(f"framework: {framework}\n", f"framework: {written}\n"))
    for args in (["add", "-A"], ["commit", "-q", "-m", "framework as typed"]):
        subprocess.run(["git", *args], cwd=project, check=True)
    return project


@pytest.mark.parametrize(("framework", "written"), [("flask", "FLASK"), ("express", "Node")])
def test_update_and_verify_read_a_framework_written_as_an_alias(framework: str, written: str) -> None:
    project = _project_naming(framework, written)

    checked = invoke("update", "shop", "--check")
    assert checked.exit_code == 0, checked.output
    assert checked.stdout == f"shop: template {checked.stdout.split()[2]} is up to date\n"

    updated = invoke("update", "shop")
    assert updated.exit_code == 0, updated.output
    assert "already up to date" in updated.stdout
    assert f"framework: {written}\n" in (project / ".copier-answers.yml").read_text()  # nothing rewritten

    # past the lookup, verify reaches its own checks: a database the project was not made for
    refused = invoke("verify", "shop", "--database", "mysql")
    assert_usage_error(refused, "shop was generated for sqlite", Path.cwd(), before=_tree(Path.cwd()))


def test_an_update_that_merges_asks_for_the_key_where_copier_reads_the_file() -> None:
    """Copier's update replays the answers file as written and takes only the key: one line, nothing touched."""
    project = _project_naming("flask", "FLASK")
    before = _tree(Path.cwd())
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=project, capture_output=True, text=True, check=True)
    for extra in ([], ["--dry-run"]):
        result = invoke("update", "shop", "--admin", *extra)
        assert_usage_error(result, 'names the framework "FLASK"', Path.cwd(), before=before)
        assert "write framework: flask, commit" in result.stderr
    status = subprocess.run(["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True, check=True)
    assert status.stdout == ""
    again = subprocess.run(["git", "rev-parse", "HEAD"], cwd=project, capture_output=True, text=True, check=True)
    assert again.stdout == head.stdout


def test_read_answers_returns_the_catalog_framework_and_its_key() -> None:
    project = _project_naming("flask", " Flask")
    answers, framework, options = project_files.read_answers(project)
    assert framework is catalog.get("flask")
    assert answers["framework"] == "flask"
    assert options.database == "sqlite"
    assert verify.read_project(project) == ("shop", framework, options)


def test_an_answers_file_naming_an_unknown_framework_is_a_usage_error() -> None:
    project = _project_naming("flask", "cobol")
    for command in (["update", "shop", "--check"], ["update", "shop"], ["verify", "shop"]):
        result = invoke(*command)
        assert_usage_error(result, "names an unknown framework 'cobol'", Path.cwd(), before=_tree(Path.cwd()))
    assert project.is_dir()


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_verify_validates_like_new_before_any_step(tmp_path: Path) -> None:
    """A framework whose template is not shipped: the same one-line usage error as `new`, no failed step."""
    new = invoke("new", "shop", "-f", "rails")
    cli_verify = invoke("verify", "-f", "rails", "--variant", "api")
    assert_usage_error(new, "the Ruby on Rails template is not available", Path.cwd())
    assert_usage_error(cli_verify, "the Ruby on Rails template is not available", Path.cwd())
    assert new.stderr == cli_verify.stderr
    with pytest.raises(UsageError) as raised:
        verify.verify(framework=catalog.get("rails"), variant="api", workdir=tmp_path / "w")
    assert new.stderr == f"error: {raised.value}\n"
