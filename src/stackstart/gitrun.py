"""The one way stackstart runs git.

Every call is made the same way, whatever command needs it:

- no hooks, no commit signing, no automatic gc or maintenance: nothing of the
  user's configuration may run code in a project we write, or outlive us;
- no optional locks: a read (``status``, ``diff``) never rewrites the user's index;
- stdin is closed unless the call feeds it, so git never waits for a terminal;
- a failure is one :class:`ToolError` line (``git init failed: …``), and git
  missing from PATH is said as such.

:func:`git` returns text; :func:`git_bytes` returns bytes (blobs, ``-z`` lists).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from stackstart.errors import ToolError

__all__ = ["git", "git_bytes", "succeeds", "toplevel"]

_SAFE = (
    "--no-optional-locks",
    *("-c", "core.hooksPath=/dev/null"),
    *("-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"),
    *("-c", "gc.auto=0", "-c", "maintenance.auto=false"),
)


def _call(
    args: tuple[str, ...], cwd: Path | None, env: Mapping[str, str] | None, stdin: bytes | None
) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", *_SAFE, *args],
            cwd=cwd,
            env={**os.environ, **env} if env else None,
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            capture_output=True,
            check=False,
        )
    except FileNotFoundError as error:
        if shutil.which("git") is None:
            raise ToolError("git is not installed (install it, or pass --no-git)") from error
        raise ToolError(f"git {args[0]} failed: {cwd} is not a folder") from error


def _text(data: bytes) -> str:
    return data.decode(errors="surrogateescape")  # paths that are not UTF-8 still name the same file


def git(
    *args: str,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
    check: bool = True,
) -> str:
    """``git ARGS`` in ``cwd``; its stdout as text (``check=False``: whatever it printed, failure or not)."""
    done = _call(args, cwd, env, None if stdin is None else stdin.encode(errors="surrogateescape"))
    if check and done.returncode != 0:
        raise ToolError.from_output(f"git {args[0]} failed", _text(done.stderr or done.stdout))
    return _text(done.stdout)


def git_bytes(
    *args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None, stdin: bytes | None = None
) -> bytes:
    """``git ARGS`` in ``cwd``; its stdout as bytes (blobs, ``-z`` listings)."""
    done = _call(args, cwd, env, stdin)
    if done.returncode != 0:
        raise ToolError.from_output(f"git {args[0]} failed", _text(done.stderr or done.stdout))
    return done.stdout


def succeeds(*args: str, cwd: Path | None = None) -> bool:
    """Whether ``git ARGS`` exits 0 (``cat-file -e``, ``rev-parse --verify``); its output is dropped."""
    return _call(args, cwd, None, None).returncode == 0


def toplevel(folder: Path) -> Path | None:
    """The root of the work tree that ``folder`` is in (resolved), or None outside any."""
    top = git("rev-parse", "--show-toplevel", cwd=folder, check=False).strip()
    return Path(top).resolve() if top else None
