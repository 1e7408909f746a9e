"""`new --dry-run` writes nothing at all: not the project, not the template caches in HOME, no scratch left."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.helpers import json_result


def snapshot(root: Path) -> dict[str, tuple[int, int, int]]:
    """Every path below ``root`` with its mode, size and modification time (ns)."""
    found = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        found[str(path.relative_to(root))] = (info.st_mode, info.st_size, info.st_mtime_ns)
    return found


@pytest.fixture
def fresh_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty HOME with no XDG_CACHE_HOME: the caches would go to ~/.cache and ~/.local/share."""
    home = tmp_path / "fresh"
    home.mkdir()
    (home / ".gitconfig").write_text("[user]\n\tname = Test User\n\temail = test@example.com\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    tempfile.tempdir = None  # this process too: it reads TMPDIR again
    return home


def new(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stackstart", "new", *args], capture_output=True, text=True, check=False
    )


def test_a_first_dry_run_writes_nothing_into_a_fresh_home(fresh_home: Path) -> None:
    before = snapshot(fresh_home)
    done = new("shop", "-f", "flask", "--auth", "--admin", "--docker", "--dry-run", "--json")
    assert done.returncode == 0, done.stderr
    files = json_result(done.stdout, "new")["files"]
    assert {".copier-answers.yml", ".env", "shop/__init__.py", "Dockerfile"} <= set(files)
    assert snapshot(fresh_home) == before
    assert list(Path.cwd().iterdir()) == []
    assert list(Path(os.environ["TMPDIR"]).iterdir()) == []


def test_a_dry_run_lists_what_new_then_writes_and_leaves_built_caches_untouched(fresh_home: Path) -> None:
    dry_first = new("shop", "-f", "flask", "--database", "postgresql", "--ci", "none", "--dry-run", "--json")
    assert dry_first.returncode == 0, dry_first.stderr
    made = new("shop", "-f", "flask", "--database", "postgresql", "--ci", "none", "--json")
    assert made.returncode == 0, made.stderr
    assert (fresh_home / ".local" / "share" / "stackstart" / "templates.bundle").is_file()
    before = snapshot(fresh_home)
    dry_again = new("other", "-f", "flask", "--database", "postgresql", "--ci", "none", "--dry-run", "--json")
    assert dry_again.returncode == 0, dry_again.stderr
    assert snapshot(fresh_home) == before
    written = json_result(made.stdout, "new")["files"]
    assert json_result(dry_first.stdout, "new")["files"] == written
    assert json_result(dry_again.stdout, "new")["files"] == sorted(f.replace("shop", "other") for f in written)
