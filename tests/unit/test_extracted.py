"""The extracted template copies (~/.cache/stackstart/trees/<tag object id>) that `new` and `update` render from."""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

import pytest

from stackstart import gitrun, history


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache of this test's own (the suite shares one per worker)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A template repository tagged v1 with an executable file, and a later v2."""
    root = tmp_path / "template"
    (root / "templates" / "demo").mkdir(parents=True)
    (root / "copier.yml").write_text("_subdirectory: templates/demo\nname:\n  type: str\n")
    (root / "templates" / "demo" / "README.md.jinja").write_text("# {{ name }}\n")
    script = root / "templates" / "demo" / "run.sh"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "v1"], ["tag", "v1"]):
        subprocess.run(["git", *args], cwd=root, check=True)
    return root


def files(root: Path) -> dict[str, tuple[bytes, bool]]:
    """Content and executable bit of every file (the rest of the mode is the umask's)."""
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), bool(p.stat().st_mode & 0o100))
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def tagged(repo: Path, tag: str) -> dict[str, tuple[bytes, bool]]:
    archive = gitrun.git_bytes("archive", "--format=tar", tag, cwd=repo)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        return {m.name: (tar.extractfile(m).read(), bool(m.mode & 0o100)) for m in tar.getmembers() if m.isfile()}  # type: ignore[union-attr]


def test_a_tag_is_extracted_once_by_its_object_id_and_holds_exactly_the_tagged_files(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = history.TemplateSource(str(repo), "v1")
    tree = history.extracted(source)
    assert tree is not None
    assert tree.name == gitrun.git("rev-parse", "v1", cwd=repo).strip()
    assert files(tree) == tagged(repo, "v1")
    assert not (tree / ".git").exists()

    def no_clone(*args: str, **kwargs: object) -> str:
        assert args[0] != "clone", "extracted again"
        return real(*args, **kwargs)  # type: ignore[arg-type]

    real = gitrun.git
    monkeypatch.setattr(gitrun, "git", no_clone)
    assert history.extracted(source) == tree


def test_leftovers_of_a_killed_extraction_are_removed_and_never_taken_for_a_tree(repo: Path) -> None:
    source = history.TemplateSource(str(repo), "v1")
    trees = history.cache_dir() / "trees"
    leftover = trees / ".tmp-killed" / "tree"
    leftover.mkdir(parents=True)
    (leftover / "half").write_text("")
    tree = history.extracted(source)
    assert tree is not None
    assert tree.parent == trees
    assert not (trees / ".tmp-killed").exists()
    assert [p.name for p in trees.iterdir() if p.is_dir()] == [tree.name]


def test_no_tree_for_what_is_not_a_release_tag_of_a_readable_source(repo: Path, tmp_path: Path) -> None:
    assert history.extracted(history.TemplateSource(str(repo), "HEAD")) is None
    assert history.extracted(history.TemplateSource(str(repo), "v9")) is None
    assert history.extracted(history.TemplateSource(str(tmp_path / "missing"), "v1")) is None


def test_with_a_scratch_folder_nothing_is_written_to_the_cache(repo: Path, tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    tree = history.extracted(history.TemplateSource(str(repo), "v1"), scratch)
    assert tree is not None
    assert tree.is_relative_to(scratch)
    assert files(tree) == tagged(repo, "v1")
    assert not (history.cache_dir() / "trees").exists()
