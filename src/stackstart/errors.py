"""One exception hierarchy; each error knows its exit code (DESIGN.md §7)."""

from __future__ import annotations

__all__ = ["StackstartError", "ToolError", "UsageError", "VerifyFailed"]


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
    """A step of the smoke pipeline failed: exit code 1."""

    exit_code = 1
