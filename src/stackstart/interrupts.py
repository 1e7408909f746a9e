"""SIGINT, SIGTERM and SIGHUP end a run the same way: as :class:`~stackstart.errors.Interrupted`.

While :func:`handled` is active (the CLI's whole run), each of the three
signals raises ``Interrupted`` in the main thread, so every ``finally`` and
``except BaseException`` on the way out runs, exactly as for Ctrl-C. Code
that must not be cut in half (removing a staging directory, the final rename)
runs inside :func:`deferred`: a signal arriving there is held back and raised
when the block ends.

What the interrupt message claims is kept here too (:func:`set_outcome`), so
that "nothing was left behind" is only said while it is true.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from types import FrameType

from stackstart.errors import Interrupted

__all__ = ["SIGNALS", "deferred", "handled", "set_outcome", "stop_descendants"]

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
NOTHING_LEFT = "interrupted; nothing was left behind"


# A repeated signal this soon after the first is dropped: the run is already
# on its way out (a double Ctrl-C must not cut that short); later, one counts again.
REPEAT_GRACE_SECONDS = 2.0


class _State:
    depth = 0  # nesting of deferred()
    pending: int | None = None  # a signal that arrived inside deferred()
    outcome = NOTHING_LEFT
    raised_at = -REPEAT_GRACE_SECONDS
    received: int | None = None  # the signal that interrupted this run


def _on_signal(signum: int, frame: FrameType | None) -> None:
    if _State.depth:
        _State.pending = signum
        return
    now = time.monotonic()
    if now - _State.raised_at < REPEAT_GRACE_SECONDS:
        return
    _State.raised_at = now
    _interrupt(signum)


def _interrupt(signum: int) -> None:
    _State.received = signum
    # first the processes we started (git, a toolchain): an orphan would go on writing where we clean up
    stop_descendants()
    raise Interrupted(signum, _State.outcome)


def received() -> Interrupted | None:
    """The interrupt of this run, if a signal came, whatever exception it turned into on its way out.

    An exception raised at an arbitrary point of a library (a pipe closed
    twice, say) can end as a different error; the run was still interrupted.
    """
    return None if _State.received is None else Interrupted(_State.received, _State.outcome)


@contextmanager
def handled(early: list[int] | None = None) -> Iterator[None]:
    """Turn SIGINT, SIGTERM and SIGHUP into :class:`Interrupted` for the block (main thread only).

    ``early``: signals a provisional handler noted before this module was
    imported; the first of them is raised at once.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, _on_signal) for signum in SIGNALS}
    outcome, _State.outcome = _State.outcome, NOTHING_LEFT
    _State.raised_at, _State.received = -REPEAT_GRACE_SECONDS, None
    try:
        if early:
            _State.raised_at = time.monotonic()
            _interrupt(early[0])
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        _State.outcome = outcome


@contextmanager
def deferred() -> Iterator[None]:
    """Hold back the three signals for the block; one that arrived is raised when it ends."""
    _State.depth += 1
    try:
        yield
    finally:
        _State.depth -= 1
        if _State.depth == 0 and _State.pending is not None:
            signum, _State.pending = _State.pending, None
            _State.raised_at = time.monotonic()
            _interrupt(signum)


def set_outcome(message: str = NOTHING_LEFT) -> str:
    """What an interrupt from now on should say happened (e.g. the project was already created); the old message."""
    previous, _State.outcome = _State.outcome, message
    return previous


def _live_children() -> dict[int, list[int]]:
    """Parent pid → pids of its live (not zombie) children, from /proc."""
    tree: dict[int, list[int]] = {}
    with suppress(OSError):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", encoding="utf-8", errors="replace") as stat:
                    # "pid (comm) state ppid ...": comm may contain spaces and parentheses
                    fields = stat.read().rpartition(")")[2].split()
            except OSError:
                continue
            if len(fields) > 1 and fields[0] not in ("Z", "X"):
                tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def _descendants() -> set[int]:
    tree = _live_children()
    found: set[int] = set()
    todo = list(tree.get(os.getpid(), []))
    while todo:
        pid = todo.pop()
        with suppress(OSError):
            if os.getpgid(pid) != os.getpgrp():  # a server verify started in its own session: not ours to kill
                continue
        found.add(pid)
        todo += tree.get(pid, [])
    return found


def stop_descendants(timeout: float = 5.0) -> None:
    """SIGKILL the processes this one started (git and its helpers), and wait until they are gone.

    An interrupted ``git clone`` would otherwise go on writing, and even
    recreate directories, in a folder we are about to remove. The tree is
    frozen first (SIGSTOP) so that nothing forks or is re-parented between
    looking and killing. Linux only (``/proc``); elsewhere it does nothing.
    """
    deadline = time.monotonic() + timeout
    stopped: set[int] = set()
    while time.monotonic() < deadline:
        found = _descendants() | stopped
        fresh = found - stopped
        if not fresh:
            break
        for pid in fresh:
            with suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGSTOP)
        stopped |= fresh
    for pid in stopped:
        with suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    while stopped and time.monotonic() < deadline and _descendants() & stopped:
        time.sleep(0.01)
