"""What Copier alone would lose or crash on: deleted folders, user binaries, rej mode, ignored user files.

Each test reproduces a defect of issue 9 (numbers in the docstrings).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from stackstart import update
from stackstart.catalog import Options
from tests.helpers import json_result
from tests.unit.test_cli import _Entry
from tests.update.conftest import TemplateRepo, commit_all, git, head, status
from tests.update.test_update import edit

pytestmark = pytest.mark.update

WORKFLOW = "{% if ci == 'github' %}.github{% endif %}/workflows/ci.yml.jinja"
PNG_USER = b"\x89PNG\r\n\x1a\n\0user logo"
PNG_TEMPLATE = b"\x89PNG\r\n\x1a\n\0template logo"


def change_workflow(flask: Path) -> None:
    workflow = flask / WORKFLOW
    workflow.write_text(workflow.read_text() + "# v2: a changed workflow\n")


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(_Entry(), list(args))  # type: ignore[arg-type]
    return result.exit_code, result.stdout, result.stderr


def test_a_deleted_github_folder_survives_a_changed_workflow(
    template_repo: TemplateRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defect 1: the sidecar's folder was never created: FileNotFoundError, half-updated tree."""
    project = template_repo.new(tmp_path, template_repo.release("v1"))
    git(project, "rm", "-q", "-r", ".github")
    commit_all(project, "we use another CI")
    template_repo.release("v2", change_workflow)
    monkeypatch.setenv("STACKSTART_TEMPLATE_SOURCE", str(template_repo.path))

    code, out, err = cli("update", str(project), "--dry-run", "--json")
    assert code == 4, err
    assert json_result(out, "update")["dry_run"] is True
    assert status(project) == ""

    code, out, err = cli("update", str(project), "--json")
    assert code == 4, err
    doc = json_result(out, "update")
    assert doc["to"] == "v2"
    assert ".github/workflows/ci.yml" in doc["deleted_by_you"]
    assert [c["path"] for c in doc["conflicted"]] == [".github/workflows/ci.yml"]
    assert not (project / ".github" / "workflows" / "ci.yml").exists()
    sidecar = project / ".github" / "workflows" / ("ci.yml" + update.SIDECAR)
    assert sidecar.read_text().endswith("# v2: a changed workflow\n")


def test_a_user_binary_at_a_path_the_template_later_adds_is_kept(template_repo: TemplateRepo, tmp_path: Path) -> None:
    """Defect 2: the template's new file replaced the user's bytes, reported only as "changed"."""
    project = template_repo.new(tmp_path, template_repo.release("v1"))
    logo = project / "shop" / "static" / "logo.png"
    logo.parent.mkdir(parents=True)
    logo.write_bytes(PNG_USER)
    commit_all(project, "our logo")

    def add_logo(flask: Path) -> None:
        (flask / "{{ package_name }}" / "static").mkdir(parents=True)
        (flask / "{{ package_name }}" / "static" / "logo.png").write_bytes(PNG_TEMPLATE)

    result = update.update(project, source=template_repo.release("v2", add_logo))
    assert logo.read_bytes() == PNG_USER
    assert (logo.parent / ("logo.png" + update.SIDECAR)).read_bytes() == PNG_TEMPLATE
    assert [c.path for c in result.conflicted] == ["shop/static/logo.png"]
    assert "shop/static/logo.png" not in result.changed + result.added


def test_the_same_binary_added_on_both_sides_is_no_conflict(template_repo: TemplateRepo, tmp_path: Path) -> None:
    project = template_repo.new(tmp_path, template_repo.release("v1"))
    logo = project / "shop" / "static" / "logo.png"
    logo.parent.mkdir(parents=True)
    logo.write_bytes(PNG_TEMPLATE)
    commit_all(project, "the logo we were sent")

    def add_logo(flask: Path) -> None:
        (flask / "{{ package_name }}" / "static").mkdir(parents=True)
        (flask / "{{ package_name }}" / "static" / "logo.png").write_bytes(PNG_TEMPLATE)

    result = update.update(project, source=template_repo.release("v2", add_logo))
    assert result.conflicted == []
    assert logo.read_bytes() == PNG_TEMPLATE


def test_rej_mode_lists_a_conflicted_file_once(template_repo: TemplateRepo, tmp_path: Path) -> None:
    """Defect 3: with --conflict rej the file was listed under both changed and conflicted."""
    project = template_repo.new(tmp_path, template_repo.release("v1"))
    edit(project / "README.md", "# Shop\n", "# Shop, our store\n")
    commit_all(project, "our title")
    v2 = template_repo.release(
        "v2",
        lambda flask: edit(flask / "README.md.jinja", "# {{ project_title }}\n", "# {{ project_title }} service\n"),
    )
    result = update.update(project, source=v2, conflict="rej")
    assert [c.path for c in result.conflicted] == ["README.md"]
    assert "README.md" not in result.changed
    assert not [name for name in result.added + result.changed if name.endswith(".rej")]


@pytest.mark.parametrize("how", ["info-exclude", "gitignore"])
def test_an_ignored_user_file_at_a_path_the_update_writes_is_kept(
    template_repo: TemplateRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """Defect 5: `update --docker` destroyed the user's own git-ignored Dockerfile and said nothing."""
    v1 = template_repo.release("v1")
    project = template_repo.new(tmp_path, v1, Options(auth=True))
    if how == "info-exclude":
        with (project / ".git" / "info" / "exclude").open("a") as exclude:
            exclude.write("Dockerfile\n")
    else:
        (project / ".gitignore").write_text((project / ".gitignore").read_text() + "Dockerfile\n")
        commit_all(project, "we keep our Dockerfile out of git")
    ours = "FROM scratch\n# our own, never committed\n"
    (project / "Dockerfile").write_text(ours)
    assert status(project) == ""
    monkeypatch.setenv("STACKSTART_TEMPLATE_SOURCE", str(template_repo.path))
    code, out, err = cli("update", str(project), "--docker", "--json")
    assert code == 4, err
    doc = json_result(out, "update")
    assert (project / "Dockerfile").read_text() == ours
    sidecar = project / ("Dockerfile" + update.SIDECAR)
    assert "FROM" in sidecar.read_text()
    assert sidecar.read_text() != ours
    assert "Dockerfile" in [c["path"] for c in doc["conflicted"]]
    assert "Dockerfile" not in doc["added"] + doc["changed"]
    assert ".dockerignore" in doc["added"]


def local_settings(text: str) -> Callable[[Path], None]:
    """A template file the project's own .gitignore ignores (rendered, never committed)."""

    def change(flask: Path) -> None:
        gitignore = flask / ".gitignore"
        if "local.txt" not in gitignore.read_text():
            gitignore.write_text(gitignore.read_text() + "local.txt\n")
        (flask / "local.txt.jinja").write_text(text)

    return change


def test_an_ignored_template_file_the_user_never_changed_is_updated(
    template_repo: TemplateRepo, tmp_path: Path
) -> None:
    """As Copier does in place: git-ignored files the template renders follow the template."""
    project = template_repo.new(tmp_path, template_repo.release("v1", local_settings("local data v1\n")))
    readme = project / "local.txt"
    assert readme.read_text() == "local data v1\n"
    assert status(project) == ""  # ignored
    result = update.update(project, source=template_repo.release("v2", local_settings("local data v2\n")))
    assert result.conflicted == []
    assert result.deleted_by_you == []
    assert readme.read_text() == "local data v2\n"


def test_an_ignored_template_file_the_user_changed_is_kept(template_repo: TemplateRepo, tmp_path: Path) -> None:
    project = template_repo.new(tmp_path, template_repo.release("v1", local_settings("local data v1\n")))
    readme = project / "local.txt"
    readme.write_text("our notes about the data\n")
    result = update.update(project, source=template_repo.release("v2", local_settings("local data v2\n")))
    assert readme.read_text() == "our notes about the data\n"
    assert [c.path for c in result.conflicted] == ["local.txt"]
    assert (project / ("local.txt" + update.SIDECAR)).read_text() == "local data v2\n"


def test_an_ignored_symlinked_folder_is_never_written_through(template_repo: TemplateRepo, tmp_path: Path) -> None:
    """The template adds shop/static/logo.png but the user's (ignored) shop/static links elsewhere."""
    project = template_repo.new(tmp_path, template_repo.release("v1"))
    outside = tmp_path / "outside"
    outside.mkdir()
    (project / ".gitignore").write_text((project / ".gitignore").read_text() + "shop/static\n")
    commit_all(project, "static files live elsewhere")
    os.symlink(outside, project / "shop" / "static")

    def add_logo(flask: Path) -> None:
        (flask / "{{ package_name }}" / "static").mkdir(parents=True)
        (flask / "{{ package_name }}" / "static" / "logo.png").write_bytes(PNG_TEMPLATE)

    before = head(project)
    result = update.update(project, source=template_repo.release("v2", add_logo))
    assert list(outside.iterdir()) == []
    assert [c.path for c in result.conflicted] == ["shop/static/logo.png"]
    assert head(project) == before
