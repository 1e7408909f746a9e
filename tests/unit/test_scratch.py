"""The pieces under "nothing left behind": owned scratch directories, sweeping, deferred signals."""

from __future__ import annotations

import fcntl
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from stackstart import interrupts, scratch
from stackstart.errors import Interrupted

PATTERN = re.compile(r"\.shop\.stackstart-[a-z0-9_]{8}")


def test_a_scratch_directory_is_locked_while_its_owner_lives() -> None:
    tmp_path = Path.cwd()
    work = scratch.Scratch.create(tmp_path, ".shop.stackstart-")
    assert PATTERN.fullmatch(work.path.name)
    fd = os.open(work.path / scratch.LOCK_NAME, os.O_RDONLY)
    try:
        with pytest.raises(BlockingIOError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(fd)
    assert scratch.sweep(tmp_path, PATTERN) == []  # its owner (this process) is alive
    assert work.path.is_dir()
    work.remove()
    assert list(tmp_path.iterdir()) == []


def test_sweep_removes_only_what_dead_owners_left() -> None:
    tmp_path = Path.cwd()
    dead = tmp_path / ".shop.stackstart-dead0000"
    (dead / "shop").mkdir(parents=True)
    (dead / "shop" / ".env").write_text("SECRET_KEY=abc\n")
    (dead / scratch.LOCK_NAME).write_text("")  # nobody holds it: the owner was SIGKILLed
    young = tmp_path / ".shop.stackstart-young000"  # no lock yet: its owner may be just creating it
    young.mkdir()
    old = tmp_path / ".shop.stackstart-old00000"  # no lock and old: an owner killed before locking, or older stackstart
    old.mkdir()
    long_ago = time.time() - scratch.UNLOCKED_GRACE_SECONDS - 5
    os.utime(old, (long_ago, long_ago))
    alive = scratch.Scratch.create(tmp_path, ".shop.stackstart-")
    mine = tmp_path / "shop"  # not a staging directory at all
    mine.mkdir()
    unrelated = tmp_path / ".shop.stackstart-notes.txt"
    unrelated.write_text("a file, not ours")

    removed = scratch.sweep(tmp_path, PATTERN)
    assert sorted(removed) == sorted([dead, old])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([young.name, alive.path.name, "shop", unrelated.name])
    alive.remove()


def test_temp_root_sends_temporary_files_inside_and_restores(tmp_path: Path) -> None:
    import tempfile

    before = tempfile.gettempdir(), os.environ.get("TMPDIR")
    with scratch.temp_root(tmp_path / "t") as root:
        assert tempfile.mkdtemp().startswith(str(root))
        assert os.environ["TMPDIR"] == str(root)
    assert (tempfile.gettempdir(), os.environ.get("TMPDIR")) == before


def test_remove_owned_is_a_backstop(tmp_path: Path) -> None:
    work = scratch.Scratch.create(tmp_path, ".shop.stackstart-")
    scratch.remove_owned()
    assert not work.path.exists()


def test_locked_waits_for_nobody_dead(tmp_path: Path) -> None:
    lock = tmp_path / "cache" / scratch.LOCK_NAME
    lock.parent.mkdir()
    lock.write_text("left by a killed run")  # the file alone never blocks
    with scratch.locked(lock):
        fd = os.open(lock, os.O_RDONLY)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)


@pytest.fixture
def handled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(interrupts, "stop_descendants", lambda timeout=5.0: None)  # not the test worker's children


def interrupted(body: Callable[[], None]) -> Interrupted:
    """Run ``body`` with the handlers installed; the Interrupted it ended with."""
    with interrupts.handled():
        try:
            body()
        except Interrupted as stop:
            return stop
    raise AssertionError("not interrupted")


def signal_self(signum: int) -> None:
    os.kill(os.getpid(), signum)
    time.sleep(5)  # the handler raises long before


@pytest.mark.usefixtures("handled")
def test_a_signal_becomes_interrupted_with_its_exit_code() -> None:
    stop = interrupted(lambda: signal_self(signal.SIGTERM))
    assert stop.exit_code == 143
    assert stop.message == "interrupted; nothing was left behind"


@pytest.mark.usefixtures("handled")
def test_deferred_holds_a_signal_back_until_the_block_ends() -> None:
    finished = []

    def body() -> None:
        with interrupts.deferred():
            os.kill(os.getpid(), signal.SIGHUP)
            time.sleep(0.05)
            finished.append("cleanup")
        finished.append("after")  # never: the held signal is raised as the block ends

    assert interrupted(body).exit_code == 129
    assert finished == ["cleanup"]


@pytest.mark.usefixtures("handled")
def test_the_outcome_says_what_an_interrupt_leaves() -> None:
    def body() -> None:
        interrupts.set_outcome("interrupted, but shop had already been created completely")
        signal_self(signal.SIGINT)

    stop = interrupted(body)
    assert stop.message.endswith("had already been created completely")
    assert stop.exit_code == 130


@pytest.mark.usefixtures("handled")
def test_a_repeated_signal_does_not_cut_the_way_out_short() -> None:
    steps = []

    def body() -> None:
        try:
            signal_self(signal.SIGINT)
        finally:
            os.kill(os.getpid(), signal.SIGINT)  # a second Ctrl-C at once, during the cleanup
            time.sleep(0.05)
            steps.append("cleanup finished")

    assert interrupted(body).exit_code == 130
    assert steps == ["cleanup finished"]


def test_stop_descendants_stops_what_this_process_started() -> None:
    # in a process of its own: in the test worker it would also stop the worker's database servers
    program = """
import subprocess, sys, time
from stackstart import interrupts
child = subprocess.Popen(["sh", "-c", "sleep 60 & sleep 60; wait"])
time.sleep(0.3)
started = time.monotonic()
interrupts.stop_descendants()
print(child.wait(timeout=10), round(time.monotonic() - started, 1), interrupts._descendants())
"""
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=True)
    status, seconds, left = done.stdout.split(maxsplit=2)
    assert int(status) == -signal.SIGKILL
    assert float(seconds) < 5
    assert left.strip() == "set()"  # the grandchild (the backgrounded sleep) too
