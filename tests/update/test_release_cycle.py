"""Issue 9's "done when": three releases cut by the documented checklist, one project through all of them.

Each release is a plain clone of stackstart whose template was changed, version bumped,
and frozen with ``PYTHONPATH=src python3 -m stackstart.history freeze`` (docs/updating.md).
The project deletes ``.github``, adds its own binary at a path v2's template adds, and the
v3 update is interrupted. Every update also runs on a fresh clone of the project under a fresh
HOME that only ever saw that release, and must give the same files.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import json_result
from tests.unit.test_history import checkout, commit, freeze, git, set_version
from tests.update.test_atomic import diff, snapshot

pytestmark = pytest.mark.update

WORKFLOW = "{% if ci == 'github' %}.github{% endif %}/workflows/ci.yml.jinja"
LOGO = "{{ package_name }}/static/logo.png"
PNG = b"\x89PNG\r\n\x1a\n\0"


def release(previous: Path | None, where: Path, version: str, change: Callable[[Path], None] | None) -> Path:
    """The maintainer's checklist: change the template, bump, commit, freeze, commit the bundle, tag."""
    if previous is None:
        root = checkout(where, version)
    else:
        shutil.copytree(previous, where, symlinks=True)
        root = where
    if change is not None:
        change(root / "templates" / "flask")
    set_version(root, version)
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", f"stackstart {version}")
    done = freeze(root)
    assert done.returncode == 0, done.stderr
    commit(root, f"releases.bundle: freeze v{version}")
    git(root, "tag", f"v{version}")
    return root


def v2_template(flask: Path) -> None:
    workflow = flask / WORKFLOW
    workflow.write_text(workflow.read_text() + "# v2\n")
    (flask / LOGO).parent.mkdir(parents=True)
    (flask / LOGO).write_bytes(PNG + b"template logo v2")


def v3_template(flask: Path) -> None:
    workflow = flask / WORKFLOW
    workflow.write_text(workflow.read_text() + "# v3\n")
    (flask / LOGO).write_bytes(PNG + b"template logo v3")
    (flask / "CHANGELOG.md").write_text("# Changes\n\n- v3\n")


class Machine:
    """A HOME with its own caches; runs one installation of stackstart as a subprocess."""

    def __init__(self, home: Path) -> None:
        self.home = home
        home.mkdir(parents=True)
        (home / ".gitconfig").write_text("[user]\n\tname = Dev\n\temail = dev@example.com\n")
        self.tmp = home / "tmp"
        self.tmp.mkdir()

    def env(self, install: Path, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("STACKSTART_", "XDG_"))}
        return env | {
            "HOME": str(self.home),
            "GIT_CONFIG_GLOBAL": str(self.home / ".gitconfig"),
            "PYTHONPATH": str(install / "src"),
            "TMPDIR": str(self.tmp),
            **extra,
        }

    def run(self, install: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "stackstart", *args],
            cwd=cwd,
            env=self.env(install),
            capture_output=True,
            text=True,
            check=False,
        )


def tree(project: Path) -> dict[str, bytes]:
    return {
        p.relative_to(project).as_posix(): p.read_bytes()
        for p in project.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(project).parts and p.name != ".env"
    }


def porcelain(project: Path) -> str:
    return git(project, "--no-optional-locks", "status", "--porcelain")


def fresh_clone(project: Path, where: Path) -> Path:
    subprocess.run(["git", "clone", "-q", str(project), str(where)], check=True)
    return where


def test_v1_v2_v3_with_deleted_github_user_binary_and_an_interrupted_update(tmp_path: Path) -> None:
    v1 = release(None, tmp_path / "releases" / "0.1.0", "0.1.0", None)
    v2 = release(v1, tmp_path / "releases" / "0.2.0", "0.2.0", v2_template)
    v3 = release(v2, tmp_path / "releases" / "0.3.0", "0.3.0", v3_template)
    assert "v0.1.0" in git(v3, "ls-remote", "--tags", "src/stackstart/releases.bundle")

    here = Machine(tmp_path / "home-a")
    work = tmp_path / "projects"
    work.mkdir()
    done = here.run(v1, "new", "shop", "-f", "flask", "--defaults", cwd=work)
    assert done.returncode == 0, done.stderr
    shop = work / "shop"
    git(shop, "rm", "-q", "-r", ".github")
    (shop / "shop" / "static").mkdir(parents=True)
    (shop / "shop" / "static" / "logo.png").write_bytes(PNG + b"our own logo")
    git(shop, "add", "-A")
    git(shop, "commit", "-q", "-m", "our CI elsewhere; our logo")

    # v1 → v2, on this machine and on a fresh clone under a fresh HOME
    there = fresh_clone(shop, tmp_path / "elsewhere" / "shop")
    done = here.run(v2, "update", "--json", cwd=shop)
    assert done.returncode == 4, done.stderr
    doc = json_result(done.stdout, "update")
    assert (doc["from"], doc["to"]) == ("v0.1.0", "v0.2.0")
    assert {c["path"] for c in doc["conflicted"]} == {".github/workflows/ci.yml", "shop/static/logo.png"}
    assert (shop / "shop" / "static" / "logo.png").read_bytes() == PNG + b"our own logo"
    assert (shop / "shop" / "static" / "logo.png.stackstart-new").read_bytes() == PNG + b"template logo v2"
    assert not (shop / ".github" / "workflows" / "ci.yml").exists()
    fresh = Machine(tmp_path / "home-b")
    done_there = fresh.run(v2, "update", "--json", cwd=there)
    assert done_there.returncode == 4, done_there.stderr
    assert tree(there) == tree(shop)
    assert porcelain(there) == porcelain(shop)

    # the user settles the conflicts: keeps their logo, stays without .github
    (shop / "shop" / "static" / "logo.png.stackstart-new").unlink()
    shutil.rmtree(shop / ".github")
    git(shop, "add", "-A")
    git(shop, "commit", "-q", "-m", "update to 0.2.0")

    # v2 → v3: interrupted twice (SIGTERM, then SIGKILL), then completed
    there = fresh_clone(shop, tmp_path / "elsewhere-3" / "shop")
    before = snapshot(shop)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        flag = tmp_path / f"paused-{sig.name}"
        process = subprocess.Popen(
            [sys.executable, "-m", "stackstart", "update"],
            cwd=shop,
            env=here.env(v3, STACKSTART_PAUSE_AT="write:2", STACKSTART_PAUSE_FILE=str(flag)),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while not flag.exists():
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.02)
        os.kill(process.pid, sig)
        _, err = process.communicate(timeout=60)
        if sig == signal.SIGTERM:
            assert process.returncode == 128 + signal.SIGTERM
            assert err.startswith("error: interrupted: shop is exactly as it was before the update")
            assert diff(before, snapshot(shop)) == []
    done = here.run(v3, "update", "--json", cwd=shop)
    assert done.returncode == 4, done.stderr
    assert "restored" in done.stderr
    doc = json_result(done.stdout, "update")
    assert (doc["from"], doc["to"]) == ("v0.2.0", "v0.3.0")
    assert {c["path"] for c in doc["conflicted"]} == {".github/workflows/ci.yml", "shop/static/logo.png"}
    assert "CHANGELOG.md" in doc["added"]
    assert (shop / "shop" / "static" / "logo.png").read_bytes() == PNG + b"our own logo"
    assert list(here.tmp.iterdir()) == []

    fresh = Machine(tmp_path / "home-c")
    done_there = fresh.run(v3, "update", "--json", cwd=there)
    assert done_there.returncode == 4, done_there.stderr
    assert tree(there) == tree(shop)
    assert porcelain(there) == porcelain(shop)

    # plain `copier update` works too once stackstart 0.3.0 has run on the machine (docs/updating.md)
    plain = fresh_clone(there, tmp_path / "plain" / "shop")  # the committed 0.2.0 state
    copier = subprocess.run(
        [
            sys.executable,
            "-m",
            "copier",
            "update",
            "--vcs-ref",
            "v0.3.0",
            "--defaults",
            "--skip-answered",
        ],
        cwd=plain,
        env=fresh.env(v3),
        capture_output=True,
        text=True,
        check=False,
    )
    assert copier.returncode == 0, copier.stderr
    assert (plain / "CHANGELOG.md").read_text() == "# Changes\n\n- v3\n"
