"""The template history store: deterministic release commits, past releases kept, machine-wide bundle."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from stackstart import history
from stackstart.errors import StackstartError
from tests.helpers import checkout, commit, freeze, git, set_version

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


# --- release safety: freeze from a checkout, refuse to re-record, refuse a missing release ----------------------


def change_template(root: Path, text: str) -> None:
    (root / "templates" / "flask" / "CHANGELOG.md").write_text(text)


def one_error_line(done: subprocess.CompletedProcess[str], *words: str) -> str:
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ")
    for word in words:
        assert word in lines[0]
    return lines[0]


def test_the_documented_freeze_command_runs_from_a_plain_clone(tmp_path: Path) -> None:
    root = checkout(tmp_path / "stackstart")
    releases = root / "src" / "stackstart" / "releases.bundle"
    done = freeze(root)
    assert done.returncode == 0, done.stderr
    assert "v0.1.0" in done.stdout
    first = tags(releases)
    assert set(first) == {"v0.1.0"}
    # freezing the same template again changes nothing
    frozen = releases.read_bytes()
    done = freeze(root)
    assert done.returncode == 0, done.stderr
    assert "already" in done.stdout
    assert releases.read_bytes() == frozen
    # the next release keeps the first one's commit
    change_template(root, "0.2.0\n")
    set_version(root, "0.2.0")
    commit(root, "0.2.0")
    assert freeze(root).returncode == 0
    assert tags(releases)["v0.1.0"] == first["v0.1.0"]
    assert history.latest_tag(releases) == "v0.2.0"


def test_freeze_refuses_to_re_record_a_release_with_other_content(tmp_path: Path) -> None:
    """Mistake B: re-running freeze after template changes, before bumping the version."""
    root = checkout(tmp_path / "stackstart")
    releases = root / "src" / "stackstart" / "releases.bundle"
    assert freeze(root).returncode == 0
    frozen = releases.read_bytes()
    change_template(root, "changed after the release\n")
    commit(root, "template change, version not bumped")
    one_error_line(freeze(root), "v0.1.0", "bump")
    assert releases.read_bytes() == frozen
    assert history.release_problems(root) != []


def test_freeze_refuses_an_uncommitted_template(tmp_path: Path) -> None:
    root = checkout(tmp_path / "stackstart")
    change_template(root, "not committed\n")
    one_error_line(freeze(root), "commit")
    assert not (root / "src" / "stackstart" / "releases.bundle").exists()


def test_freeze_refuses_when_an_earlier_release_was_never_frozen_and_can_repair_it(tmp_path: Path) -> None:
    """Mistake A: 0.1.0 released (tagged) but never frozen; 0.2.0 is being cut."""
    root = checkout(tmp_path / "stackstart")
    git(root, "tag", "v0.1.0")
    change_template(root, "0.2.0\n")
    set_version(root, "0.2.0")
    commit(root, "0.2.0")
    problems = history.release_problems(root)
    assert any("v0.1.0" in problem for problem in problems), problems
    one_error_line(freeze(root), "v0.1.0", "freeze v0.1.0")
    # the message's repair: record the tagged release from its tag, then this one
    done = freeze(root, "v0.1.0")
    assert done.returncode == 0, done.stderr
    assert freeze(root).returncode == 0
    releases = root / "src" / "stackstart" / "releases.bundle"
    assert set(tags(releases)) == {"v0.1.0", "v0.2.0"}
    assert history.release_problems(root) == []
    # and v0.1.0 holds the template of the v0.1.0 tag, not today's
    v1 = root.parent / "v1"
    subprocess.run(["git", "clone", "-q", "--branch", "v0.1.0", str(releases), str(v1)], check=True)
    assert not (v1 / "templates" / "flask" / "CHANGELOG.md").exists()


def test_a_frozen_tag_that_differs_from_the_git_tag_is_a_problem(tmp_path: Path) -> None:
    root = checkout(tmp_path / "stackstart")
    assert freeze(root).returncode == 0
    change_template(root, "tagged later, with another template\n")
    commit(root, "late change")
    git(root, "tag", "v0.1.0")
    problems = history.release_problems(root)
    assert any("v0.1.0" in p and "differs" in p for p in problems), problems


def test_freeze_from_an_installed_copy_says_where_to_run_it(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    shutil.copytree(ROOT / "src" / "stackstart", site / "stackstart", ignore=shutil.ignore_patterns("__pycache__"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"PYTHONPATH": str(site)}
    done = subprocess.run(
        ["python3", "-m", "stackstart.history", "freeze"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    line = one_error_line(done, "checkout", "PYTHONPATH=src python3 -m stackstart.history freeze")
    assert "Traceback" not in done.stderr
    assert line


def test_the_wheel_build_refuses_a_changed_release(tmp_path: Path) -> None:
    """hatch_build.py runs the same checks before it builds the bundle it ships."""
    root = checkout(tmp_path / "stackstart")
    assert freeze(root).returncode == 0
    commit(root, "freeze 0.1.0")
    sys.path.insert(0, str(root))
    try:
        import hatch_build
    finally:
        sys.path.remove(str(root))
    out = hatch_build.bundle_for_wheel(root, tmp_path / "ok")  # frozen and unchanged: fine
    assert tags(out)["v0.1.0"] == tags(root / "src" / "stackstart" / "releases.bundle")["v0.1.0"]
    change_template(root, "changed after the release\n")
    commit(root, "oops")
    with pytest.raises(RuntimeError, match=r"v0\.1\.0.*bump"):
        hatch_build.bundle_for_wheel(root, tmp_path / "bad")
    assert not list((tmp_path / "bad").glob("*.bundle"))


def test_build_bundle_refuses_other_content_under_a_frozen_tag(tmp_path: Path) -> None:
    root = template_copy(tmp_path / "root")
    history.build_bundle(tmp_path / "r1.bundle", root=root, version="0.1.0", past=None)
    change_template(root, "changed\n")
    with pytest.raises(StackstartError, match=r"v0\.1\.0"):
        history.build_bundle(tmp_path / "r2.bundle", root=root, version="0.1.0", past=tmp_path / "r1.bundle")
    assert not (tmp_path / "r2.bundle").exists()


def test_this_checkout_has_no_release_problems() -> None:
    """Fails when releases.bundle lacks an earlier release tag of this repository, or when the template
    differs from a frozen tag of the same version (docs/updating.md: the release checklist)."""
    assert history.release_problems(ROOT) == []


@pytest.mark.build
def test_a_real_wheel_build_refuses_a_changed_release(tmp_path: Path) -> None:
    root = checkout(tmp_path / "stackstart")
    assert freeze(root).returncode == 0
    change_template(root, "changed after the release\n")
    commit(root, "template change, version not bumped")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path / "dist"), str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "refusing to build the wheel" in done.stdout + done.stderr
    assert "bump __version__" in done.stdout + done.stderr
    assert not list((tmp_path / "dist").glob("*.whl"))
