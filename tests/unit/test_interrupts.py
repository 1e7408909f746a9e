"""SIGTERM, SIGHUP, SIGINT and SIGKILL sent to a real `stackstart new` at every stage leave nothing behind.

Each trial stops `python -m stackstart new` at a known point (see
signal_helpers), sends one signal to its pid only (as `kill` does), and then
checks the output folder and $TMPDIR: no staging directory, no `.env` with
secrets, no temporary copy of the template, no process. After a SIGKILL,
which nothing can catch, the staging directory stays until the next run in
that folder, which must remove it and say so in one line.
"""

from __future__ import annotations

import re
import signal
import time
from pathlib import Path

import pytest

from tests.unit.signal_helpers import Run, listing

NEW = ["new", "shop", "-f", "flask", "--database", "postgresql", "--auth", "--admin", "--docker", "--defaults"]
# where the fake git pauses (the git command line, after it ran) → what stackstart is doing then
POINTS = {
    # rendering: Copier is writing the project into the staging folder (it asks git for core.fileMode
    # at its first file; the template is rendered from its extracted copy, not cloned per run)
    "render": "core.fileMode",
    "init": "init -q -b main",  # the render is complete, .env (the secrets) written, git init ran
    "add": "add -A",  # after git init
    "commit": "commit -q --no-verify",  # the first commit is being made
}
CATCHABLE = {"SIGTERM": signal.SIGTERM, "SIGHUP": signal.SIGHUP, "SIGINT": signal.SIGINT}


def assert_session_ends(run: Run) -> None:
    deadline = time.monotonic() + 10
    while run.session_processes():
        assert time.monotonic() < deadline, f"processes left running: {run.session_processes()}"
        time.sleep(0.05)


@pytest.mark.parametrize("point", list(POINTS))
@pytest.mark.parametrize("name", list(CATCHABLE))
def test_a_caught_signal_cleans_up_and_says_so(tmp_path: Path, name: str, point: str) -> None:
    work = Path.cwd()
    run = Run(tmp_path, NEW, cwd=work, pause_at=POINTS[point])
    run.wait_until_paused()
    if point != "render":
        (staging,) = (p for p in work.iterdir() if p.name.startswith(".shop.stackstart-"))
        assert "SECRET_KEY=" in (staging / "shop" / ".env").read_text()  # the secret really is on disk now
    run.send(CATCHABLE[name])
    status = run.finish()
    assert status == 128 + CATCHABLE[name], run.stderr
    assert run.stderr.splitlines() == ["error: interrupted; nothing was left behind"]
    assert listing(work) == [], f"left behind after {name} at {point}"
    assert listing(run.tmpdir) == [], f"left in $TMPDIR after {name} at {point}"
    assert_session_ends(run)


@pytest.mark.parametrize("point", list(POINTS))
def test_after_sigkill_the_next_run_removes_what_was_left(tmp_path: Path, point: str) -> None:
    work = Path.cwd()
    run = Run(tmp_path, NEW, cwd=work, pause_at=POINTS[point])
    run.wait_until_paused()
    run.send(signal.SIGKILL)
    assert run.finish() == -signal.SIGKILL
    run.kill_session()  # the fake git's sleep; real git would simply finish
    (left,) = work.iterdir()  # nothing can catch SIGKILL: the staging directory is still there
    assert left.name.startswith(".shop.stackstart-")

    again = Run(tmp_path, ["new", "other", "-f", "flask", "--defaults"], cwd=work)
    assert again.finish() == 0, again.stderr
    notes = [line for line in again.stderr.splitlines() if line.startswith("note: ")]
    assert len(notes) == 1
    assert left.name in notes[0]
    assert again.stderr.splitlines() == notes
    assert [p.name for p in work.iterdir()] == ["other"]
    assert listing(run.tmpdir) == [], "a temporary clone survived"


def test_a_staging_directory_whose_owner_is_alive_is_left_alone(tmp_path: Path) -> None:
    work = Path.cwd()
    first = Run(tmp_path, NEW, cwd=work, pause_at=POINTS["init"])
    first.wait_until_paused()
    (staging,) = work.iterdir()
    env_before = (staging / "shop" / ".env").read_text()

    second = Run(tmp_path, ["new", "other", "-f", "flask", "--defaults"], cwd=work)
    assert second.finish() == 0, second.stderr
    assert "note:" not in second.stderr
    assert (staging / "shop" / ".env").read_text() == env_before

    first.resume()
    assert first.finish() == 0, first.stderr
    assert sorted(p.name for p in work.iterdir()) == ["other", "shop"]
    assert (work / "shop" / ".env").read_text() == env_before


def before_stackstart_ran(stderr: str) -> bool:
    """Python's own report of an interrupt during its start-up, before the first line of stackstart.__main__.

    That window is the interpreter's: its initialisation (the standard
    streams, then site-packages' .pth files: tens of milliseconds on this
    machine, whose sandbox adds one importing certifi) and runpy importing the
    package. No code of ours runs there, so nothing can be written.
    """
    frames = re.findall(r'File "([^"]+)"', stderr)
    if any("/stackstart/" in frame and not frame.endswith("/stackstart/__init__.py") for frame in frames):
        return False
    if re.match(r"Fatal Python error: init_\w+: ", stderr) and "KeyboardInterrupt" in stderr:
        return True  # the interpreter's own initialisation (sys streams, site and its .pth files) was cut
    return stderr.startswith("Traceback (most recent call last)") and all(
        frame.startswith("<frozen ") or frame.endswith("/stackstart/__init__.py") for frame in frames
    )


@pytest.mark.parametrize("delay", [0.0, 0.01, 0.02, 0.04, 0.06, 0.09, 0.15, 0.3, 0.6])
def test_ctrl_c_at_any_moment_is_one_line_and_leaves_nothing(tmp_path: Path, delay: float) -> None:
    work = Path.cwd()
    run = Run(tmp_path, ["new", "shop", "-f", "flask", "--defaults"], cwd=work)
    time.sleep(delay)
    run.send(signal.SIGINT)
    status = run.finish()
    assert listing(work) == [] or status == 0, run.stderr
    assert listing(run.tmpdir) == []
    if status == 0:  # too late: it had finished
        assert (work / "shop" / ".copier-answers.yml").is_file()
    elif status == -signal.SIGINT and run.stderr == "":
        pass  # before Python installed any handler: killed, silently
    elif before_stackstart_ran(run.stderr):
        pass
    else:
        assert status == 130, run.stderr
        assert run.stderr.splitlines() == ["error: interrupted; nothing was left behind"]


def test_after_sigkill_of_a_dry_run_the_next_run_removes_its_scratch_folder(tmp_path: Path) -> None:
    work = Path.cwd()
    run = Run(tmp_path, [*NEW, "--dry-run"], cwd=work, pause_at=POINTS["render"])
    run.wait_until_paused()
    run.send(signal.SIGKILL)
    assert run.finish() == -signal.SIGKILL
    run.kill_session()
    (left,) = run.tmpdir.iterdir()
    assert left.name.startswith("stackstart-dry-run-")

    again = Run(tmp_path, ["new", "other", "-f", "flask", "--dry-run"], cwd=work)
    assert again.finish() == 0, again.stderr
    assert left.name in again.stderr
    assert listing(run.tmpdir) == []
    assert listing(work) == []
