"""The template history store: deterministic release commits, past releases kept, machine-wide bundle."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from stackstart import history

ROOT = Path(__file__).resolve().parents[2]


def tags(bundle: Path) -> dict[str, str]:
    out = subprocess.run(["git", "ls-remote", "--tags", str(bundle)], capture_output=True, text=True, check=True).stdout
    return {line.split("refs/tags/")[1]: line.split()[0] for line in out.splitlines()}


def template_copy(where: Path) -> Path:
    where.mkdir()
    shutil.copy2(ROOT / "copier.yml", where / "copier.yml")
    shutil.copytree(ROOT / "templates", where / "templates", ignore=shutil.ignore_patterns("__pycache__"))
    return where


@pytest.mark.parametrize(
    ("tag", "version"),
    [("v0.1.0", (0, 1, 0)), ("v2", (2,)), ("v1.2.3-4-gabcdef", (1, 2, 3)), ("banana", ()), ("1.0", ())],
)
def test_tag_version(tag: str, version: tuple[int, ...]) -> None:
    assert history.tag_version(tag) == version


def test_same_template_gives_the_same_commit(tmp_path: Path) -> None:
    root = template_copy(tmp_path / "root")
    history.build_bundle(tmp_path / "a.bundle", root=root, version="0.1.0", past=None)
    history.build_bundle(tmp_path / "b.bundle", root=root, version="0.1.0", past=None)
    assert tags(tmp_path / "a.bundle") == tags(tmp_path / "b.bundle")


def test_a_new_release_keeps_the_old_tags(tmp_path: Path) -> None:
    root = template_copy(tmp_path / "root")
    history.build_bundle(tmp_path / "r1.bundle", root=root, version="0.1.0", past=None)
    (root / "templates" / "flask" / "CHANGELOG.md").write_text("0.2.0\n")
    history.build_bundle(tmp_path / "r2.bundle", root=root, version="0.2.0", past=tmp_path / "r1.bundle")
    old, new = tags(tmp_path / "r1.bundle"), tags(tmp_path / "r2.bundle")
    assert new["v0.1.0"] == old["v0.1.0"]
    assert set(new) == {"v0.1.0", "v0.2.0"}
    assert history.latest_tag(tmp_path / "r2.bundle") == "v0.2.0"


def test_default_source_fills_the_machine_wide_bundle() -> None:
    source = history.default_source()
    assert source.path == history.STABLE_BUNDLE == "~/.local/share/stackstart/templates.bundle"
    assert source.ref == history.release_tag()
    assert source.ref in tags(source.local_path)
    assert str(source.local_path).startswith(str(Path.home()))  # HOME is this test's own


def test_override_for_template_development(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    history.build_bundle(tmp_path / "dev.bundle", root=template_copy(tmp_path / "root"), version="7.0", past=None)
    monkeypatch.setenv("STACKSTART_TEMPLATE_SOURCE", str(tmp_path / "dev.bundle"))
    assert history.default_source() == history.TemplateSource(str(tmp_path / "dev.bundle"), "v7.0")
