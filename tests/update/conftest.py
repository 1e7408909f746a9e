"""A throwaway git repository of the real template root, released as v1, v2, … by the tests."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from stackstart import catalog, generate, history
from stackstart.catalog import Options

ROOT = Path(__file__).resolve().parents[2]


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@dataclass
class TemplateRepo:
    """The template root in a git repository of its own."""

    path: Path

    def release(
        self, tag: str, change: Callable[[Path], None] | None = None, framework: str = "flask"
    ) -> history.TemplateSource:
        """Apply ``change`` to the template folder of ``framework``, commit and tag."""
        if change is not None:
            change(self.path / "templates" / framework)
        git(self.path, "add", "-A")
        git(self.path, "commit", "-q", "--allow-empty", "-m", f"release {tag}")
        git(self.path, "tag", tag)
        return history.TemplateSource(str(self.path), tag)

    def new(
        self,
        where: Path,
        source: history.TemplateSource,
        options: Options | None = None,
        name: str = "shop",
        framework: str = "flask",
    ) -> Path:
        """`stackstart new` from this repository at ``source.ref``."""
        destination = where / name
        request = generate.NewRequest(name, catalog.get(framework), options or Options(), destination, source=source)
        generate.create(request)
        return destination


@pytest.fixture
def template_repo(tmp_path: Path) -> TemplateRepo:
    repo = tmp_path / "template"
    repo.mkdir()
    shutil.copy2(ROOT / "copier.yml", repo / "copier.yml")
    shutil.copytree(ROOT / "templates", repo / "templates", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    git(repo, "init", "-q", "-b", "main")
    return TemplateRepo(repo)


def commit_all(project: Path, message: str) -> None:
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", message)


def head(project: Path) -> str:
    return git(project, "rev-parse", "HEAD").strip()


def status(project: Path) -> str:
    return git(project, "status", "--porcelain", "--untracked-files=all")
