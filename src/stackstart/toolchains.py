"""Which toolchains are present on this machine (`stackstart doctor`)."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from stackstart import catalog

__all__ = ["TOOLS", "Tool", "buildable", "detect", "missing_tools"]


@dataclass(frozen=True)
class Tool:
    """A command-line tool and how to ask it for its version."""

    key: str
    executable: str
    version_args: tuple[str, ...] = ("--version",)


TOOLS: tuple[Tool, ...] = (
    Tool("python", "python3"),
    Tool("node", "node"),
    Tool("npm", "npm"),
    Tool("java", "java", ("-version",)),
    Tool("mvn", "mvn", ("-v",)),
    Tool("php", "php", ("-v",)),
    Tool("composer", "composer", ("--version", "--no-ansi")),
    Tool("ruby", "ruby", ("-v",)),
    Tool("bundle", "bundle", ("-v",)),
    Tool("dotnet", "dotnet", ("--version",)),
    Tool("git", "git"),
    Tool("psql", "psql"),
    Tool("uv", "uv"),
)
_VERSION = re.compile(r"\d+(?:\.\d+)+")


@dataclass(frozen=True)
class Found:
    """A tool found on PATH, with the version it printed (or None)."""

    key: str
    path: str | None
    version: str | None

    @property
    def present(self) -> bool:
        """True when the executable is on PATH and answered."""
        return self.path is not None


def _probe(tool: Tool) -> Found:
    path = shutil.which(tool.executable)
    if path is None:
        return Found(tool.key, None, None)
    try:
        done = subprocess.run(
            [path, *tool.version_args],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return Found(tool.key, None, None)
    if done.returncode != 0:
        return Found(tool.key, None, None)
    match = _VERSION.search(done.stdout + done.stderr)
    return Found(tool.key, path, match.group(0) if match else None)


def detect() -> dict[str, Found]:
    """Probe every known tool, in parallel (``java -version`` alone can take a second)."""
    with ThreadPoolExecutor(max_workers=len(TOOLS)) as pool:
        return {found.key: found for found in pool.map(_probe, TOOLS)}


def missing_tools(framework: catalog.Framework, found: Mapping[str, Found] | None = None) -> list[str]:
    """The toolchain executables of ``framework`` that are not on this machine."""
    if found is None:
        return [key for key in framework.toolchain if _probe(_BY_KEY[key]).path is None]
    return [key for key in framework.toolchain if not found[key].present]


def buildable(found: Mapping[str, Found]) -> dict[str, list[str]]:
    """For each framework, the missing tools (an empty list means it can be built here)."""
    return {f.key: missing_tools(f, found) for f in catalog.FRAMEWORKS}


_BY_KEY = {tool.key: tool for tool in TOOLS}
