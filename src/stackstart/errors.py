"""One exception hierarchy and one table of exit codes (DESIGN.md §7).

| code | meaning |
|---|---|
| 0 | done |
| 1 | a tool underneath failed (copier, git, a toolchain) |
| 2 | usage: the user asked for something wrong; nothing was written |
| 3 | `verify`: a step of the smoke pipeline failed |
| 4 | `update`: conflicted files to resolve |
| 5 | `update --check`: an update is available |
| 70 | internal error: a bug in stackstart (report it with the `--debug` output) |
| 129 | interrupted by SIGHUP; nothing was left behind |
| 130 | interrupted by Ctrl-C (SIGINT); nothing was left behind |
| 143 | interrupted by SIGTERM; nothing was left behind |

The README holds the same table, and a unit test compares the three
(this one, the README's, :data:`EXIT_CODES`). Interrupted runs exit with
128 + the signal number, as shells report it. An unexpected exception (a bug)
is not a tool failure: it gets 70 (``EX_SOFTWARE``) and the line says
"internal error" and how to see the traceback (``--debug``).

Every error is one line on stderr. What a tool underneath printed (git's or
Copier's several lines) travels on the exception as ``detail`` and is shown
only with ``--debug``. A usage error never shows a traceback.
"""

from __future__ import annotations

__all__ = [
    "EXIT_CODES",
    "INTERNAL_ERROR",
    "INTERRUPTED",
    "Interrupted",
    "StackstartError",
    "ToolError",
    "UpdateAvailable",
    "UpdateConflicts",
    "UsageError",
    "VerifyFailed",
    "quote",
]

INTERNAL_ERROR = 70  # EX_SOFTWARE of sysexits.h
INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C; SIGTERM gives 143, SIGHUP 129


class StackstartError(Exception):
    """Base of every error stackstart raises on purpose.

    The message is one line; ``detail`` keeps what a tool underneath printed,
    for ``--debug``.
    """

    exit_code = 1

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


class UsageError(StackstartError):
    """The user asked for something wrong: one line, exit code 2, nothing written."""

    exit_code = 2


class ToolError(StackstartError):
    """Copier, git or a toolchain failed underneath us: exit code 1."""

    exit_code = 1

    @classmethod
    def from_output(cls, what: str, output: str) -> ToolError:
        """``what`` plus the first line of the tool's ``output``; the whole output becomes the detail."""
        lines = [line.strip() for line in output.splitlines() if line.strip()]
        first = lines[0].removeprefix("fatal: ").removeprefix("error: ") if lines else "no output"
        return cls(f"{what}: {first}", output.strip() if len(lines) > 1 else "")


class VerifyFailed(StackstartError):
    """A step of the smoke pipeline failed (the report is printed first): exit code 3."""

    exit_code = 3


class UpdateConflicts(StackstartError):
    """`update` finished but left conflicted files for the user: exit code 4."""

    exit_code = 4


class UpdateAvailable(StackstartError):
    """`update --check`: the project is behind the installed release: exit code 5."""

    exit_code = 5


class Interrupted(BaseException):
    """SIGINT, SIGTERM or SIGHUP arrived: exit code 128 + the signal number.

    A BaseException, so that no ``except Exception`` (ours, Copier's) turns it
    into a failure, and not a KeyboardInterrupt, which click would turn into
    an "Abort" and subprocess would treat as "the child got it too".
    """

    def __init__(self, signum: int, message: str = "interrupted; nothing was left behind") -> None:
        super().__init__(message)
        self.signum = signum
        self.message = message

    @property
    def exit_code(self) -> int:
        """128 + the signal number (130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP)."""
        return 128 + self.signum


EXIT_CODES: dict[int, str] = {
    0: "done",
    ToolError.exit_code: "a tool underneath failed (copier, git, a toolchain)",
    UsageError.exit_code: "usage: the user asked for something wrong; nothing was written",
    VerifyFailed.exit_code: "`verify`: a step of the smoke pipeline failed",
    UpdateConflicts.exit_code: "`update`: conflicted files to resolve",
    UpdateAvailable.exit_code: "`update --check`: an update is available",
    INTERNAL_ERROR: "internal error: a bug in stackstart (report it with the `--debug` output)",
    128 + 1: "interrupted by SIGHUP; nothing was left behind",
    INTERRUPTED: "interrupted by Ctrl-C (SIGINT); nothing was left behind",
    128 + 15: "interrupted by SIGTERM; nothing was left behind",
}


def quote(text: str) -> str:
    """``text`` in double quotes for a message, anything unprintable escaped: no input can break the one line."""
    return (
        '"'
        + "".join(
            char
            if char.isprintable() and char not in '"\\'
            else char.encode("unicode_escape").decode("ascii").replace('"', '\\"')
            for char in text
        )
        + '"'
    )
