"""Apply a planned set of file changes to a git work tree all or nothing.

`stackstart update` merges in a scratch clone, then hands the result here as a
list of :class:`Change`. :func:`apply` first writes a journal into the
repository's git directory (``.git/stackstart-update/journal``): the list of
paths, a hard link (or copy) of every file it will replace or delete, the index
and HEAD. Renaming the finished journal into place is the commit point; only
then is the work tree touched, one atomic rename per file, then the index.
When anything stops it (an exception, Ctrl-C, SIGTERM, SIGHUP) the journal puts
every path, the index and HEAD back byte for byte. After a SIGKILL the journal
stays, and the next update calls :func:`recover`, which restores the same way,
unless the user changed one of those files since (then it refuses and says so).

SIGINT, SIGTERM and SIGHUP arrive as :class:`~stackstart.errors.Interrupted`
(interrupts.py); while the journal is written or played back they wait
(``interrupts.deferred``), so that cleanup is never cut short.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from stackstart import interrupts
from stackstart.errors import ToolError, UsageError

__all__ = ["Change", "apply", "discard_draft", "interrupted", "pause", "recover", "state_dir"]

_STATE = "stackstart-update"
_JOURNAL = "journal"


def pause(point: str) -> None:
    """Test hook: stop at ``point`` when ``$STACKSTART_PAUSE_AT`` names it.

    The update writes the point's name to ``$STACKSTART_PAUSE_FILE`` and sleeps, so a
    test can send a real signal at an exact moment instead of guessing with timers.
    """
    if os.environ.get("STACKSTART_PAUSE_AT") != point:
        return
    Path(os.environ["STACKSTART_PAUSE_FILE"]).write_text(point, encoding="utf-8")
    time.sleep(600)


@dataclass(frozen=True)
class Change:
    """One path of the work tree: new content (a file, or a symlink's target), or ``None`` to delete it."""

    path: str
    content: bytes | None
    mode: int = 0o644
    link: bool = False

    @property
    def digest(self) -> str | None:
        """What :func:`_digest` gives for the path once the change is made."""
        if self.content is None:
            return None
        return _hash(self.content, self.link)


def state_dir(git_dir: Path) -> Path:
    """Where the journal of an update in progress lives."""
    return git_dir / _STATE


def interrupted(git_dir: Path) -> bool:
    """True when an update was stopped (SIGKILL, power loss) after it began to write."""
    return (state_dir(git_dir) / _JOURNAL / "manifest.json").is_file()


def _hash(content: bytes, link: bool = False) -> str:
    return ("link:" if link else "file:") + hashlib.sha256(content).hexdigest()


def _digest(path: Path) -> str | None:
    """What is at ``path`` now: a file's or symlink's hash, ``"dir"``, or ``None``."""
    if path.is_symlink():
        return _hash(os.readlink(path).encode(), link=True)
    if path.is_dir():
        return "dir"
    if not path.exists():
        return None
    return _hash(path.read_bytes())


def _keep(source: Path, target: Path) -> None:
    """``target`` becomes the same file as ``source``: a hard link (same inode, nothing copied) or a copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_symlink():
        os.symlink(os.readlink(source), target)
        return
    try:
        os.link(source, target)
    except OSError:  # another file system, or links not allowed
        shutil.copy2(source, target)


def _temp_for(path: Path) -> Path:
    return path.with_name(f".{path.name}.stackstart-{os.getpid()}.tmp")


def _put(path: Path, change: Change) -> None:
    """Replace ``path`` by the change's content in one rename (never a half-written file)."""
    temp = _temp_for(path)
    temp.unlink(missing_ok=True)
    if change.link:
        os.symlink(change.content or b"", temp)
    else:
        descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, change.mode & 0o7777)
        try:
            os.write(descriptor, change.content or b"")
            os.fchmod(descriptor, change.mode & 0o7777)
        finally:
            os.close(descriptor)
    os.replace(temp, path)


def _write_index(git_dir: Path, content: bytes | None) -> None:
    """Replace the index the way git does: through ``index.lock``, which must not exist."""
    index, lock = git_dir / "index", git_dir / "index.lock"
    try:
        descriptor = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError as error:
        raise ToolError(f"{lock} appeared during the update: another git command is running there") from error
    try:
        if content is not None:
            os.write(descriptor, content)
    finally:
        os.close(descriptor)
    if content is None:
        lock.unlink()
        index.unlink(missing_ok=True)
    else:
        os.replace(lock, index)


def _sync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _discard(journal: Path) -> None:
    """Remove a journal: first out of sight (one rename), then from disk."""
    trash = journal.with_name(f"trash-{os.getpid()}-{time.monotonic_ns()}")
    journal.rename(trash)
    shutil.rmtree(trash, ignore_errors=True)


def _tidy(state: Path) -> None:
    for leftover in state.glob("trash-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    with contextlib.suppress(OSError):
        state.rmdir()


def apply(work_tree: Path, git_dir: Path, head: str, changes: list[Change], index: bytes | None, finished: str) -> None:
    """Make ``changes`` (and the new ``index``, unless ``None``) in ``work_tree``: all of them, or none.

    ``finished``: what an interrupt says once everything is written (interrupts.set_outcome).
    """
    state = state_dir(git_dir)
    journal, draft = state / _JOURNAL, state / "journal.draft"
    try:
        with interrupts.deferred():
            dirs = _write_journal(work_tree, git_dir, head, changes, draft)
            draft.rename(journal)  # the commit point: from here on the journal can undo everything
            _sync(state)
        pause("journal")
        for directory in dirs:
            (work_tree / directory).mkdir(exist_ok=True)
        ordered = sorted(changes, key=lambda c: c.content is not None)  # deletions first
        for written, change in enumerate(ordered, start=1):
            target = work_tree / change.path
            if change.content is None:
                target.unlink(missing_ok=True)
                _prune(work_tree, target.parent)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                _put(target, change)
            pause(f"write:{written}")
        pause("written")
        if index is not None:
            _write_index(git_dir, index)
        pause("index")
        pause("done")
    except BaseException:
        with interrupts.deferred():
            if journal.exists():
                _restore(work_tree, git_dir, journal)
            else:
                shutil.rmtree(draft, ignore_errors=True)
                _tidy(state)
        raise
    with interrupts.deferred():  # the update is complete from here on, whatever comes
        interrupts.set_outcome(finished)
        _discard(journal)
        _tidy(state)


def _write_journal(work_tree: Path, git_dir: Path, head: str, changes: list[Change], draft: Path) -> list[str]:
    """Everything needed to undo ``changes``; returns the folders the changes will create."""
    if draft.exists():
        shutil.rmtree(draft)
    (draft / "backup").mkdir(parents=True)
    entries: list[dict[str, str | None]] = []
    dirs: list[str] = []
    for change in changes:
        target = work_tree / change.path
        before = _digest(target)
        if before == "dir":
            raise ToolError(f"{target} is a folder; update will not replace it")
        if before is not None:
            _keep(target, draft / "backup" / change.path)
        entries.append({"path": change.path, "before": before, "after": change.digest})
        if change.content is not None:
            for parent in reversed(Path(change.path).parents[:-1]):
                if not (work_tree / parent).exists() and parent.as_posix() not in dirs:
                    dirs.append(parent.as_posix())
    has_index = (git_dir / "index").is_file()
    if has_index:
        shutil.copy2(git_dir / "index", draft / "index")
    manifest = {"head": head, "pid": os.getpid(), "paths": entries, "dirs": dirs, "index": has_index}
    (draft / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    _sync(draft / "manifest.json")
    return dirs


def _prune(work_tree: Path, directory: Path) -> None:
    """Remove folders left empty by deletions, as git does."""
    while directory != work_tree and directory.is_relative_to(work_tree):
        try:
            directory.rmdir()
        except OSError:
            return
        directory = directory.parent


def _restore(work_tree: Path, git_dir: Path, journal: Path) -> None:
    """Play the journal back: every path, the index. Safe to run again if it is itself cut short."""
    manifest = json.loads((journal / "manifest.json").read_text(encoding="utf-8"))
    for entry in reversed(manifest["paths"]):
        target = work_tree / entry["path"]
        _temp_for(target).unlink(missing_ok=True)
        if entry["before"] is None:
            if target.is_symlink() or target.is_file():
                target.unlink()
            continue
        saved = journal / "backup" / entry["path"]
        if target.exists() and not target.is_symlink() and os.path.samefile(saved, target):
            continue  # untouched: still the very file (rename between two links of one file does nothing)
        temp = _temp_for(target)
        _keep(saved, temp)
        os.replace(temp, target)
    for directory in reversed(manifest["dirs"]):
        with contextlib.suppress(OSError):
            (work_tree / directory).rmdir()
    lock = git_dir / "index.lock"
    if manifest["index"]:
        temp = git_dir / f"index.stackstart-{os.getpid()}.tmp"
        shutil.copy2(journal / "index", temp)
        if lock.exists():
            temp.unlink()
            raise ToolError(f"cannot restore the index while {lock} exists (another git command is running)")
        os.replace(temp, git_dir / "index")
    elif (git_dir / "index").exists() and not lock.exists():
        (git_dir / "index").unlink()
    _discard(journal)
    _tidy(journal.parent)


def recover(work_tree: Path, git_dir: Path, head: str) -> None:
    """Undo an update that was killed while writing (see :func:`interrupted`).

    Refuses, touching nothing, when HEAD moved or a journaled path holds neither
    what was there before the update nor what the update wrote: the user has
    worked since, and restoring would overwrite that work.
    """
    state = state_dir(git_dir)
    journal = state / _JOURNAL
    manifest = json.loads((journal / "manifest.json").read_text(encoding="utf-8"))
    backup = f"{journal / 'backup'}"
    if manifest["head"] != head:
        raise UsageError(
            f"an update of {work_tree.name} was interrupted, and commits were made since; the files from before "
            f"it are in {backup}: copy back what you need, then delete {state}"
        )
    for entry in manifest["paths"]:
        now = _digest(work_tree / entry["path"])
        if now not in (entry["before"], entry["after"]):
            raise UsageError(
                f"an update of {work_tree.name} was interrupted, and {entry['path']} changed since; the files from "
                f"before it are in {backup}: copy back what you need, then delete {state}"
            )
    _restore(work_tree, git_dir, journal)


def discard_draft(git_dir: Path) -> None:
    """Remove what an update killed before its commit point left (nothing of the work tree was touched)."""
    state = state_dir(git_dir)
    draft = state / "journal.draft"
    if draft.exists():
        shutil.rmtree(draft, ignore_errors=True)
    if state.exists():
        _tidy(state)
