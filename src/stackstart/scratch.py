"""Scratch directories and locks that never outlive the process that made them.

- :class:`Scratch`: a directory whose lock file this process holds locked
  (``flock``) for as long as it lives. The kernel drops the lock when the
  process dies, however it dies, so a later run can tell an abandoned
  directory (lock free) from one in use (lock held) without trusting pids.
- :func:`sweep`: remove the abandoned scratch directories of a folder.
- :func:`locked`: a blocking ``flock`` on a file, for caches shared by
  concurrent runs; a lock file left behind by a killed process blocks nothing.
- :func:`temp_root`: make every temporary file of the block (Copier's clones,
  ours) land inside a scratch directory, so that removing it removes them.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from stackstart import interrupts

__all__ = ["LOCK_NAME", "Scratch", "locked", "remove_owned", "remove_tree", "sweep", "system_tempdir", "temp_root"]

LOCK_NAME = ".stackstart.lock"
# A directory without a lock file is abandoned only when it is this old: its
# owner may be between creating the directory and locking its lock file.
UNLOCKED_GRACE_SECONDS = 60.0
_OWNED: dict[Path, Scratch] = {}  # every Scratch of this process not removed yet


class Scratch:
    """A directory ``parent/<prefix><random>`` owned by this process through a locked lock file."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd = fd

    @classmethod
    def create(cls, parent: Path, prefix: str) -> Scratch:
        """Make a fresh directory (never an existing one) and lock it for this process's life."""
        path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
        owned = _OWNED[path] = cls(path, -1)
        try:
            # lock under a private name, then rename: whenever LOCK_NAME exists, it is locked by a live owner
            owned._fd, private = tempfile.mkstemp(prefix=".stackstart-lock-", dir=path)
            fcntl.flock(owned._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.rename(private, path / LOCK_NAME)
        except BaseException:
            owned.remove()
            raise
        return owned

    @property
    def tmp(self) -> Path:
        """Where :func:`temp_root` puts temporary files of this run."""
        return self.path / ".tmp"

    def remove(self) -> None:
        """Remove the directory (and everything in it), then let go of the lock."""
        try:
            remove_tree(self.path)
        finally:
            if self._fd >= 0:
                with suppress(OSError):
                    os.close(self._fd)
            self._fd = -1
            _OWNED.pop(self.path, None)


def remove_owned() -> None:
    """Remove every scratch directory this process still owns (a backstop for a cleanup cut short)."""
    for owned in list(_OWNED.values()):
        owned.remove()


def _claim(path: Path) -> tuple[bool, int | None]:
    """Whether ``path``'s owner is gone, and if so a descriptor holding its lock (None: it had no lock file)."""
    try:
        fd = os.open(path / LOCK_NAME, os.O_RDONLY)
    except FileNotFoundError:
        try:
            age = time.time() - path.lstat().st_mtime
        except OSError:
            return False, None
        return age > UNLOCKED_GRACE_SECONDS, None
    except OSError:
        return False, None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return False, None
    return True, fd


def sweep(parent: Path, pattern: re.Pattern[str]) -> list[Path]:
    """Remove the directories of ``parent`` named like ``pattern`` whose owning process has died.

    A directory whose owner is alive is never touched. Returns what was removed.
    """
    removed: list[Path] = []
    try:
        entries = [entry for entry in os.scandir(parent) if pattern.fullmatch(entry.name)]
    except OSError:
        return removed
    for entry in entries:
        if not entry.is_dir(follow_symlinks=False):
            continue
        path = Path(entry.path)
        abandoned, fd = _claim(path)
        if not abandoned:
            continue
        try:  # while we hold its lock, a concurrent sweep skips it
            if remove_tree(path):
                removed.append(path)
        finally:
            if fd is not None:
                os.close(fd)
    return removed


def remove_tree(path: Path, timeout: float = 5.0) -> bool:
    """Remove ``path`` and everything below it; True when it is gone.

    Retries for a while: something being killed may still be writing there.
    """
    deadline = time.monotonic() + timeout
    while True:
        shutil.rmtree(path, ignore_errors=True)
        if not os.path.lexists(path):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


@contextmanager
def locked(lock_file: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``lock_file`` for the block (waits for another holder).

    The file itself means nothing and is never removed; only the lock counts,
    and the kernel releases it when its holder exits, even by SIGKILL.
    """
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def system_tempdir() -> Path:
    """``tempfile.gettempdir()``, which the first time writes and deletes a probe file: not to be cut in half."""
    with interrupts.deferred():
        return Path(tempfile.gettempdir())


@contextmanager
def temp_root(directory: Path) -> Iterator[Path]:
    """Send every temporary file of the block (``tempfile``, and ``$TMPDIR`` of children) into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    saved_tempdir, saved_env = tempfile.tempdir, os.environ.get("TMPDIR")
    tempfile.tempdir = os.environ["TMPDIR"] = str(directory)
    try:
        yield directory
    finally:
        tempfile.tempdir = saved_tempdir
        if saved_env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved_env
