"""The template caches (~/.cache/stackstart, ~/.local/share/stackstart) under kills and concurrent first runs.

A run killed while building a bundle, or two first runs at once under a fresh
HOME, must never break a later run: builders take turns on a real lock
(flock, released by the kernel when its holder dies) and rename finished
bundles into place.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from stackstart import __version__, catalog, history
from tests.unit.signal_helpers import Run, listing


@pytest.fixture
def fresh_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty HOME and cache: the next run is a first run, which builds both bundles."""
    home = tmp_path / "fresh"
    (home / ".cache").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    return home


def cache_bundle(home: Path) -> Path:
    digest = history._digest(catalog.template_root())
    return home / ".cache" / "stackstart" / f"templates-{__version__}-{digest}.bundle"


def stable_bundle(home: Path) -> Path:
    return home / ".local" / "share" / "stackstart" / "templates.bundle"


def new(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stackstart", "new", *args], capture_output=True, text=True, check=False
    )


def test_what_a_killed_bundle_build_leaves_blocks_nothing(fresh_home: Path) -> None:
    bundle = cache_bundle(fresh_home)
    bundle.parent.mkdir(parents=True)
    # exactly what `git bundle create` of the old code left when killed: its lock file and a partial bundle
    leftovers = [bundle.with_name(bundle.name + ".partial.lock"), bundle.with_name(bundle.name + ".partial")]
    stable = stable_bundle(fresh_home)
    stable.parent.mkdir(parents=True)
    leftovers += [stable.parent / ".templates-abc123.bundle", stable.parent / ".templates-abc123.bundle.lock"]
    for path in leftovers:
        path.write_text("")
    (bundle.parent / ".stackstart.lock").write_text("")  # a lock file alone means nothing
    dry = new("shop", "-f", "flask", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    done = new("shop", "-f", "flask", "--defaults")
    assert done.returncode == 0, done.stderr
    assert bundle.is_file()
    assert not [path for path in leftovers if path.exists()]


@pytest.mark.parametrize("point", ["bundle create", "fetch -q"])
def test_a_run_killed_while_building_the_caches_breaks_no_later_run(
    tmp_path: Path, fresh_home: Path, point: str
) -> None:
    work = Path.cwd()
    run = Run(tmp_path, ["new", "shop", "-f", "flask", "--defaults"], cwd=work, pause_at=point)
    run.wait_until_paused()
    os.killpg(run.process.pid, signal.SIGKILL)  # the whole process group, as an OOM killer or a closed terminal does
    run.finish()
    run.kill_session()
    for args in (["shop", "-f", "flask", "--dry-run"], ["shop", "-f", "flask", "--defaults"]):
        done = new(*args)
        assert done.returncode == 0, done.stderr
    assert (work / "shop" / ".copier-answers.yml").is_file()
    assert [p.name for p in cache_bundle(fresh_home).parent.iterdir() if p.name.startswith(".tmp-")] == []
    assert sorted(p.name for p in stable_bundle(fresh_home).parent.iterdir()) == [
        ".stackstart.lock",
        "templates.bundle",
    ]


@pytest.mark.parametrize("round_", range(3))
def test_two_first_runs_at_once_both_succeed(tmp_path: Path, fresh_home: Path, round_: int) -> None:
    work = Path.cwd()
    runs = [Run(tmp_path, ["new", name, "-f", "flask", "--defaults"], cwd=work) for name in ("alpha", "beta")]
    statuses = [run.finish() for run in runs]
    assert statuses == [0, 0], [run.stderr for run in runs]
    assert sorted(p.name for p in work.iterdir()) == ["alpha", "beta"]
    for run in runs:
        assert listing(run.tmpdir) == []


def test_an_unreadable_machine_wide_bundle_is_rebuilt(fresh_home: Path) -> None:
    stable = stable_bundle(fresh_home)
    stable.parent.mkdir(parents=True)
    stable.write_bytes(b"# v2 git bundle\ntruncated")
    done = new("shop", "-f", "flask", "--defaults")
    assert done.returncode == 0, done.stderr
    assert history.release_tag() in history._tags(stable)
