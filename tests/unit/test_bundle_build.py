"""The template bundle is built in a handful of git processes, whatever the number of files,
and holds exactly the commit a plain ``git add -A && git commit`` of the template makes."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from stackstart import catalog, gitrun, history

IDENTITY = history._IDENTITY  # the fixed identity and dates that make a release commit reproducible


def git(*args: str, cwd: Path | None = None) -> str:
    env = {**os.environ, **IDENTITY}
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout.strip()


def template_copy(into: Path) -> Path:
    """The template root (copier.yml + templates/) copied with its file modes."""
    root = catalog.template_root()
    into.mkdir()
    shutil.copy2(root / "copier.yml", into / "copier.yml")
    shutil.copytree(root / "templates", into / "templates", ignore=shutil.ignore_patterns("__pycache__", "*.py[co]"))
    return into


def plain_commit(root: Path, message: str) -> tuple[str, str]:
    """(commit, tree) of ``git add -A && git commit`` in ``root``, bytes stored as they are on disk.

    The template's own .gitattributes (Spring Boot's ``*.cmd text eol=crlf``) are meant for the
    generated project; the history store keeps the template's bytes, so conversion is switched
    off here with ``info/attributes``, which takes precedence over in-tree attributes.
    """
    git("init", "-q", cwd=root)
    (root / ".git" / "info").mkdir(exist_ok=True)
    (root / ".git" / "info" / "attributes").write_text("* -text\n")
    git("add", "-A", "--force", cwd=root)  # the templates' .gitignore files are for the projects
    git("commit", "-q", "--no-verify", "-m", message, cwd=root)
    return git("rev-parse", "HEAD", cwd=root), git("rev-parse", "HEAD^{tree}", cwd=root)


def bundle_tag(bundle: Path, tag: str) -> tuple[str, str]:
    listing = git("ls-remote", str(bundle))
    tags = dict(reversed(line.split("\t")) for line in listing.splitlines())
    clone = bundle.with_suffix(".git")
    git("init", "-q", "--bare", str(clone))
    git("--git-dir", str(clone), "fetch", "-q", str(bundle), "+refs/tags/*:refs/tags/*")
    return tags[f"refs/tags/{tag}"], git("--git-dir", str(clone), "rev-parse", f"{tag}^{{tree}}")


def test_the_bundle_holds_the_commit_a_plain_git_commit_makes(tmp_path: Path) -> None:
    root = template_copy(tmp_path / "root")
    (root / "templates" / "flask" / "bin").mkdir()
    (root / "templates" / "flask" / "bin" / "run.sh").write_text("#!/bin/sh\necho hi\n")
    (root / "templates" / "flask" / "bin" / "run.sh").chmod(0o755)  # the executable bit is kept
    bundle = tmp_path / "out" / "templates.bundle"
    history.build_bundle(bundle, root=root, version="9.9.9", past=None)
    commit, tree = bundle_tag(bundle, "v9.9.9")
    assert (commit, tree) == plain_commit(root, "stackstart 9.9.9 templates")
    files = git("ls-tree", "-r", "--name-only", "HEAD", cwd=root).splitlines()
    assert len(files) > 150  # the real template, not a toy


def test_a_release_on_top_of_past_ones_has_the_same_tree_and_its_parent(tmp_path: Path) -> None:
    root = template_copy(tmp_path / "root")
    past = tmp_path / "past.bundle"
    history.build_bundle(past, root=root, version="1.0.0", past=None)
    (root / "templates" / "flask" / "CHANGELOG.md").write_text("# Changes\n")
    bundle = tmp_path / "templates.bundle"
    history.build_bundle(bundle, root=root, version="1.1.0", past=past)
    old_commit, _ = bundle_tag(past, "v1.0.0")
    commit, tree = bundle_tag(bundle, "v1.1.0")
    assert plain_commit(root, "stackstart 1.1.0 templates")[1] == tree
    clone = bundle.with_suffix(".git")
    assert git("--git-dir", str(clone), "rev-list", "--parents", "-n", "1", commit).split()[1:] == [old_commit]


def test_the_bundle_is_built_in_a_handful_of_git_processes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    real_run = subprocess.run

    def counting(args: Any, *rest: Any, **kwargs: Any) -> Any:
        if isinstance(args, list) and args and args[0] == "git":
            calls.append(args)
        return real_run(args, *rest, **kwargs)

    monkeypatch.setattr(gitrun.subprocess, "run", counting)  # every git call of stackstart goes through gitrun
    root = template_copy(tmp_path / "root")
    history.build_bundle(tmp_path / "a.bundle", root=root, version="1.0.0", past=None)
    few = len(calls)
    for index in range(100):  # a hundred more files cost no more processes
        (root / "templates" / "flask" / f"extra-{index}.txt").write_text(f"{index}\n")
    calls.clear()
    history.build_bundle(tmp_path / "b.bundle", root=root, version="1.0.0", past=None)
    assert len(calls) == few <= 12, calls
