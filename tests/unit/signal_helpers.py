"""Running the real `python -m stackstart` in a subprocess and stopping it at a chosen moment.

A fake ``git`` first on PATH runs the real git, then, the first time its
subcommand is the one named in ``$FAKE_GIT_PAUSE_AT``, creates
``$FAKE_GIT_MARKER`` and sleeps: the test knows exactly where stackstart is
(Copier's clone of the template, ``git init`` after ``.env`` is written,
``git add`` after ``git init``, ``git commit``, ``git bundle`` of the cache)
and sends its signal then.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

FAKE_GIT = """#!/bin/sh
"$FAKE_GIT_REAL" "$@"
rc=$?
if [ -n "$FAKE_GIT_PAUSE_AT" ] && [ ! -e "$FAKE_GIT_MARKER" ]; then
  case " $* " in
    *" $FAKE_GIT_PAUSE_AT "*) : > "$FAKE_GIT_MARKER"; sleep 120 ;;
  esac
fi
exit $rc
"""


class Run:
    """One `python -m stackstart` subprocess in its own session, with its own TMPDIR."""

    def __init__(self, root: Path, args: list[str], *, cwd: Path, pause_at: str | None = None) -> None:
        self.root = root
        self.marker = root / f"paused-{time.monotonic_ns()}"
        bin_dir = root / "fake-bin"
        if not (bin_dir / "git").exists():
            bin_dir.mkdir(parents=True, exist_ok=True)
            (bin_dir / "git").write_text(FAKE_GIT)
            (bin_dir / "git").chmod(0o755)
        self.tmpdir = root / "tmp"
        self.tmpdir.mkdir(exist_ok=True)
        env = {
            **os.environ,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "TMPDIR": str(self.tmpdir),
            "FAKE_GIT_REAL": shutil.which("git") or "git",
            "FAKE_GIT_PAUSE_AT": pause_at or "",
            "FAKE_GIT_MARKER": str(self.marker),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "stackstart", *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        self.stdout = self.stderr = ""

    def wait_until_paused(self, timeout: float = 120.0) -> None:
        """Wait for the fake git to reach its pause point (fails if stackstart ends first)."""
        deadline = time.monotonic() + timeout
        while not self.marker.exists():
            if self.process.poll() is not None:
                self.finish()
                raise AssertionError(f"ended before the pause point: {self.process.returncode}\n{self.stderr}")
            assert time.monotonic() < deadline, "pause point never reached"
            time.sleep(0.01)

    def send(self, signum: int) -> None:
        """The signal to stackstart's process only, as `kill -TERM $pid` does."""
        self.process.send_signal(signum)

    def finish(self, timeout: float = 120.0) -> int:
        """Wait for stackstart to exit; returns its exit status (negative: killed by that signal)."""
        self.stdout, self.stderr = self.process.communicate(timeout=timeout)
        return self.process.returncode

    def session_processes(self) -> list[int]:
        """Processes still alive in the run's session (git, the fake git's sleep…)."""
        alive = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            # fields: state ppid pgrp session ...
            if fields and fields[0] not in ("Z", "X") and int(fields[3]) == self.process.pid:
                alive.append(int(entry.name))
        return alive

    def resume(self) -> None:
        """End the fake git's pause, so that stackstart goes on."""
        for pid in self.session_processes():
            try:
                if Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"sleep\0"):
                    os.kill(pid, signal.SIGKILL)
            except (OSError, ProcessLookupError):
                pass

    def kill_session(self) -> None:
        """SIGKILL what is left of the session (after stackstart itself was SIGKILLed) and wait for it."""
        deadline = time.monotonic() + 30
        while (alive := self.session_processes()) and time.monotonic() < deadline:
            for pid in alive:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.02)


def listing(root: Path) -> list[str]:
    """Everything below ``root``, hidden files included, as sorted relative paths."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")) if root.exists() else []
