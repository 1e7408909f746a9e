"""Every refusal of `stackstart update`: one line, exit 2, and nothing changed (same HEAD, same status)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import invoke
from tests.update.conftest import TemplateRepo, commit_all, git, head, status

pytestmark = pytest.mark.update


def make_dirty(project: Path) -> None:
    (project / "README.md").write_text("changed but not committed\n")


def make_untracked(project: Path) -> None:
    (project / "scratch.txt").write_text("new file\n")


def drop_answers(project: Path) -> None:
    (project / ".copier-answers.yml").unlink()
    commit_all(project, "no answers")


def garble_answers(project: Path) -> None:
    (project / ".copier-answers.yml").write_text("framework: [unclosed\n")
    commit_all(project, "garbled")


def rewrite_answers(old: str, new: str) -> Callable[[Path], None]:
    """A spoiler that edits one line of the answers file and commits it."""

    def spoil(project: Path) -> None:
        answers = project / ".copier-answers.yml"
        answers.write_text(answers.read_text().replace(old, new))
        commit_all(project, f"answers: {new}")

    return spoil


nonsense_commit = rewrite_answers("_commit: v1", "_commit: banana")
unknown_framework = rewrite_answers("framework: flask", "framework: cobol")
switch_framework = rewrite_answers("framework: flask", "framework: django")
from_the_future = rewrite_answers("_commit: v1", "_commit: v9")


def stale_index_lock(project: Path) -> None:
    """What a git command killed mid-write leaves behind (issue 10, item 8)."""
    (project / ".git" / "index.lock").write_bytes(b"")


CASES: list[tuple[str, Callable[[Path], None] | None, list[str], str]] = [
    ("dirty", make_dirty, [], "has uncommitted changes; commit or stash them"),
    ("untracked", make_untracked, [], "has uncommitted changes"),
    ("no-answers", drop_answers, [], "is not a stackstart project"),
    ("garbled-answers", garble_answers, [], "is not valid YAML at line"),
    ("nonsense-commit", nonsense_commit, [], "not a stackstart release tag"),
    ("unknown-framework", unknown_framework, [], "unknown framework 'cobol'"),
    ("framework-edited", switch_framework, [], "changes the framework from flask to django"),
    ("framework-flag", None, ["--framework", "django"], "update cannot change the framework"),
    ("framework-nonsense", None, ["--framework", "nonsense"], 'unknown framework "nonsense"'),
    ("index-lock", stale_index_lock, [], ".git/index.lock exists"),
    ("older-template", from_the_future, [], "made with template v9, newer than this stackstart's v2"),
    ("contradiction", None, ["--admin", "--no-auth"], "--admin needs --auth, but --no-auth was given"),
    ("admin-without-db", None, ["--database", "none", "--admin"], "needs a database"),
    ("bad-choice", None, ["--database", "oracle"], "Invalid value for '--database'"),
]


@pytest.mark.parametrize(("spoil", "args", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_refusal_changes_nothing(
    template_repo: TemplateRepo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    spoil: Callable[[Path], None] | None,
    args: list[str],
    message: str,
) -> None:
    project = template_repo.new(tmp_path, template_repo.release("v1"))
    template_repo.release("v2", lambda flask: (flask / "CHANGELOG.md").write_text("v2\n"))
    if spoil is not None:
        spoil(project)
    before_head, before_status = head(project), status(project)
    files_before = sorted(p.relative_to(project).as_posix() for p in project.rglob("*") if ".git" not in p.parts)
    monkeypatch.setenv("STACKSTART_TEMPLATE_SOURCE", str(template_repo.path))
    result = invoke("update", str(project), *args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert message in lines[0]
    assert head(project) == before_head
    assert status(project) == before_status
    assert (
        sorted(p.relative_to(project).as_posix() for p in project.rglob("*") if ".git" not in p.parts) == files_before
    )


def test_refuses_a_project_without_git(
    template_repo: TemplateRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    v1 = template_repo.release("v1")
    project = template_repo.new(tmp_path, v1)
    shutil.rmtree(project / ".git")  # as if generated with --no-git
    monkeypatch.setenv("STACKSTART_TEMPLATE_SOURCE", str(template_repo.path))
    result = invoke("update", str(project))
    assert result.exit_code == 2
    assert "is not the root of a git repository" in result.stderr
    assert not (project / ".git").exists()


def test_refuses_a_plain_directory(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    git(plain, "init", "-q")
    result = invoke("update", str(plain))
    assert result.exit_code == 2
    assert "is not a stackstart project" in result.stderr
    missing = invoke("update", str(tmp_path / "missing"))
    assert missing.exit_code == 2
    assert "is not a directory" in missing.stderr


def test_update_says_plainly_that_it_needs_git(
    template_repo: TemplateRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = template_repo.new(tmp_path, template_repo.release("v1"))
    monkeypatch.setenv("STACKSTART_TEMPLATE_SOURCE", str(template_repo.path))
    empty = tmp_path / "no-git-here"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    result = invoke("update", str(project))
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines() == [
        "error: update needs git, which is not installed here (install git, then run stackstart update again)"
    ]


def test_update_help_shows_that_a_left_out_option_keeps_its_value() -> None:
    result = invoke("update", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "[default: sqlite]" not in text
    assert "[default: off]" not in text
    assert "[default: github]" not in text
    assert text.count("[default: keep the project's value]") == 5
    assert "--check" in text
