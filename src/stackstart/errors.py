"""One exception hierarchy and one table of exit codes (DESIGN.md §7).

| code | meaning |
|---|---|
| 0 | done |
| 1 | a tool underneath failed (copier, git, a toolchain) |
| 2 | usage: the user asked for something wrong; nothing was written |
| 3 | `verify`: a step of the smoke pipeline failed |
| 4 | `update`: the merge left conflicted files to resolve |
| 5 | `update --check`: an update is available |
| 70 | internal error: a bug in stackstart (please report it with --debug output) |
| 130 | interrupted (Ctrl-C, SIGTERM, SIGHUP); nothing was left behind |
"""

from __future__ import annotations

__all__ = [
    "EXIT_CODES",
    "INTERNAL_ERROR",
    "INTERRUPTED",
    "StackstartError",
    "ToolError",
    "UpdateAvailable",
    "UpdateConflicts",
    "UsageError",
    "VerifyFailed",
]

INTERNAL_ERROR = 70  # EX_SOFTWARE of sysexits.h
INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C


class StackstartError(Exception):
    """Base of every error stackstart raises on purpose."""

    exit_code = 1


class UsageError(StackstartError):
    """The user asked for something wrong: one line, exit code 2, nothing written."""

    exit_code = 2


class ToolError(StackstartError):
    """Copier, git or a toolchain failed underneath us: exit code 1."""

    exit_code = 1


class VerifyFailed(StackstartError):
    """A step of the smoke pipeline failed: exit code 3."""

    exit_code = 3


class UpdateConflicts(StackstartError):
    """`update` finished but left conflicted files for the user: exit code 4."""

    exit_code = 4


class UpdateAvailable(StackstartError):
    """`update --check`: the project is behind the installed release: exit code 5."""

    exit_code = 5


EXIT_CODES: dict[int, str] = {
    0: "done",
    ToolError.exit_code: "a tool underneath failed (copier, git, a toolchain)",
    UsageError.exit_code: "usage: the user asked for something wrong; nothing was written",
    VerifyFailed.exit_code: "verify: a step of the smoke pipeline failed",
    UpdateConflicts.exit_code: "update: conflicted files to resolve",
    UpdateAvailable.exit_code: "update --check: an update is available",
    INTERNAL_ERROR: "internal error: a bug in stackstart (report it with the --debug output)",
    INTERRUPTED: "interrupted; nothing was left behind",
}
