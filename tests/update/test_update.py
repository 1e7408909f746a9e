"""Update tier: v1 → user edits → v2 → update keeps the edits, applies the template, marks conflicts."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from stackstart import update
from stackstart.catalog import Options
from tests.helpers import json_result
from tests.unit.test_cli import _Entry
from tests.update.conftest import TemplateRepo, commit_all, head, status

pytestmark = pytest.mark.update

LOGO = "{{ package_name }}/static/logo.bin"
BINARY_V1, BINARY_USER, BINARY_V2 = b"\x89BIN\0v1", b"\x89BIN\0mine", b"\x89BIN\0v2"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def v1_extras(flask: Path) -> None:
    (flask / LOGO).parent.mkdir(parents=True)
    (flask / LOGO).write_bytes(BINARY_V1)


def v2_changes(flask: Path) -> None:
    (flask / "CHANGELOG.md").write_text("# Changes\n\n- v2\n")
    (flask / ".gitignore").write_text((flask / ".gitignore").read_text() + "*.log\n")
    edit(flask / "README.md.jinja", "# {{ project_title }}\n", "# {{ project_title }} service\n")
    (flask / ".editorconfig").write_text(
        (flask / ".editorconfig").read_text() + "\n[*.md]\ntrim_trailing_whitespace = false\n"
    )
    (flask / LOGO).write_bytes(BINARY_V2)
    (flask / "tests" / "test_core.py.jinja").unlink()


def user_edits(project: Path) -> None:
    edit(
        project / "shop" / "core.py",
        '"Referrer-Policy": "strict-origin-when-cross-origin"',
        '"Referrer-Policy": "no-referrer"',
    )
    (project / "notes.md").write_text("our notes\n")
    (project / ".editorconfig").unlink()
    edit(project / "README.md", "# Shop\n", "# Shop, our store\n")
    (project / "shop" / "static" / "logo.bin").write_bytes(BINARY_USER)
    (project / "tests" / "test_core.py").write_text((project / "tests" / "test_core.py").read_text() + "\n# ours\n")


def test_update_keeps_edits_applies_changes_and_marks_conflicts(template_repo: TemplateRepo, tmp_path: Path) -> None:
    v1 = template_repo.release("v1", v1_extras)
    project = template_repo.new(tmp_path, v1)
    user_edits(project)
    commit_all(project, "our edits")
    v2 = template_repo.release("v2", v2_changes)

    result = update.update(project, source=v2)

    assert (result.from_version, result.to_version) == ("v1", "v2")
    # the user's edits are kept
    assert '"Referrer-Policy": "no-referrer"' in (project / "shop" / "core.py").read_text()
    assert (project / "notes.md").read_text() == "our notes\n"
    assert not (project / ".editorconfig").exists()
    # the template's changes are applied
    assert "CHANGELOG.md" in result.added
    assert (project / "CHANGELOG.md").read_text() == "# Changes\n\n- v2\n"
    assert (project / ".gitignore").read_text().endswith("*.log\n")
    assert ".gitignore" in result.changed
    # conflicts: both changed the title line; binary edited on both sides; edited file removed upstream;
    # deleted file changed upstream
    conflicts = {c.path: c.reason for c in result.conflicted}
    assert set(conflicts) == {"README.md", "shop/static/logo.bin", "tests/test_core.py", ".editorconfig"}
    readme = (project / "README.md").read_text()
    assert "<<<<<<<" in readme
    assert "# Shop, our store" in readme
    assert "# Shop service" in readme
    assert (project / "shop" / "static" / "logo.bin").read_bytes() == BINARY_USER
    assert (project / "shop" / "static" / ("logo.bin" + update.SIDECAR)).read_bytes() == BINARY_V2
    assert (project / "tests" / "test_core.py").read_text().endswith("\n# ours\n")
    assert "no longer in the template" in conflicts["tests/test_core.py"]
    assert ".editorconfig" in result.deleted_by_you
    assert "trim_trailing_whitespace = false" in (project / (".editorconfig" + update.SIDECAR)).read_text()
    # versions recorded
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_commit"] == "v2"


def test_cli_lists_conflicts_and_exits_4(
    template_repo: TemplateRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    v1 = template_repo.release("v1")
    project = template_repo.new(tmp_path, v1)
    edit(project / "README.md", "# Shop\n", "# Shop, our store\n")
    commit_all(project, "our title")
    template_repo.release(
        "v2",
        lambda flask: edit(flask / "README.md.jinja", "# {{ project_title }}\n", "# {{ project_title }} service\n"),
    )
    monkeypatch.setenv("STACKSTART_TEMPLATE_SOURCE", str(template_repo.path))
    result = CliRunner().invoke(_Entry(), ["update", str(project), "--json"])  # type: ignore[arg-type]
    assert result.exit_code == 4, result.output
    doc = json_result(result.stdout, "update")
    assert doc["from"] == "v1"
    assert doc["to"] == "v2"
    assert [c["path"] for c in doc["conflicted"]] == ["README.md"]
    text = CliRunner().invoke(_Entry(), ["update", str(project)])  # type: ignore[arg-type]
    assert text.exit_code == 2  # the conflicted tree is now dirty: refused, nothing touched
    assert "uncommitted changes" in text.stderr


def test_conflict_rej_mode(template_repo: TemplateRepo, tmp_path: Path) -> None:
    v1 = template_repo.release("v1")
    project = template_repo.new(tmp_path, v1)
    edit(project / "README.md", "# Shop\n", "# Shop, our store\n")
    commit_all(project, "our title")
    v2 = template_repo.release(
        "v2",
        lambda flask: edit(flask / "README.md.jinja", "# {{ project_title }}\n", "# {{ project_title }} service\n"),
    )
    result = update.update(project, source=v2, conflict="rej")
    assert [c.path for c in result.conflicted] == ["README.md"]
    assert (project / "README.md.rej").is_file()
    assert "<<<<<<<" not in (project / "README.md").read_text()


def test_dry_run_touches_nothing(template_repo: TemplateRepo, tmp_path: Path) -> None:
    v1 = template_repo.release("v1")
    project = template_repo.new(tmp_path, v1)
    v2 = template_repo.release("v2", v2_changes_text_only)
    before = head(project)
    result = update.update(project, {"auth": True}, source=v2, dry_run=True)
    assert result.dry_run
    assert "CHANGELOG.md" in result.added
    assert "shop/auth.py" in result.added
    assert result.option_changes == {"auth": (False, True)}
    assert head(project) == before
    assert status(project) == ""
    assert not (project / "CHANGELOG.md").exists()


def test_dry_run_names_option_changes_as_the_user_writes_them(
    template_repo: TemplateRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = template_repo.new(tmp_path, template_repo.release("v1"))
    template_repo.release("v2", v2_changes_text_only)
    monkeypatch.setenv("STACKSTART_TEMPLATE_SOURCE", str(template_repo.path))
    before = head(project)
    result = CliRunner().invoke(_Entry(), ["update", str(project), "--auth", "--dry-run"])  # type: ignore[arg-type]
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "shop: template v1 → v2; options auth off→on"
    assert head(project) == before
    assert status(project) == ""


def v2_changes_text_only(flask: Path) -> None:
    (flask / "CHANGELOG.md").write_text("# Changes\n\n- v2\n")
    edit(flask / "{{ package_name }}" / "core.py", '"""What every deployment has', '"""What every deployment has (v2)')


@pytest.mark.parametrize(
    ("extra", "options"),
    [
        ({"auth": True}, Options(auth=True)),
        ({"admin": True, "docker": True}, Options(auth=True, admin=True, docker=True)),
        ({"database": "postgresql", "auth": True}, Options(database="postgresql", auth=True)),
    ],
)
def test_option_turned_on_by_update_equals_a_fresh_new(
    template_repo: TemplateRepo, tmp_path: Path, extra: dict[str, object], options: Options
) -> None:
    v1 = template_repo.release("v1")
    project = template_repo.new(tmp_path / "a", v1)
    edit(project / "shop" / "core.py", '"X-Frame-Options": "DENY"', '"X-Frame-Options": "SAMEORIGIN"')
    commit_all(project, "our header")
    result = update.update(project, extra, source=v1)
    assert result.conflicted == []
    fresh = template_repo.new(tmp_path / "b", v1, options)

    def tree(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in root.rglob("*")
            if p.is_file() and ".git" not in p.relative_to(root).parts and p.name != ".env"
        }

    ours, theirs = tree(project), tree(fresh)
    assert set(ours) == set(theirs)
    differing = {name for name in ours if ours[name] != theirs[name]}
    assert differing == {"shop/core.py"}  # only the user's edit
    assert b'"X-Frame-Options": "SAMEORIGIN"' in ours["shop/core.py"]


def test_a_project_from_another_machine_updates_with_the_default_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`_src_path` is ~/.local/share/stackstart/templates.bundle: valid wherever stackstart runs."""
    machine_a, machine_b = tmp_path / "home-a", tmp_path / "home-b"
    machine_a.mkdir()
    machine_b.mkdir()
    monkeypatch.setenv("HOME", str(machine_a))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    result = CliRunner().invoke(_Entry(), ["new", "shop", "-f", "flask", "--defaults"])  # type: ignore[arg-type]
    assert result.exit_code == 0, result.output
    project = Path.cwd() / "shop"
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_src_path"] == "~/.local/share/stackstart/templates.bundle"

    monkeypatch.setenv("HOME", str(machine_b))  # nothing of machine A's stackstart is here
    assert not (machine_b / ".local").exists()
    result = CliRunner().invoke(_Entry(), ["update", str(project), "--auth", "--json"])  # type: ignore[arg-type]
    assert result.exit_code == 0, result.output
    doc = json_result(result.stdout, "update")
    assert "shop/auth.py" in doc["added"]
    assert (machine_b / ".local" / "share" / "stackstart" / "templates.bundle").is_file()
