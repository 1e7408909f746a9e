"""Helpers shared by the test tiers (imported, not fixtures)."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest

from stackstart import catalog, toolchains

__all__ = [
    "available_frameworks",
    "env_file_values",
    "envelope",
    "free_port",
    "json_result",
    "need_tools",
    "quick_start_lines",
    "required_frameworks",
    "variant_id",
]


def required_frameworks() -> set[str]:
    """Frameworks named in STACKSTART_REQUIRE: for them a missing toolchain fails instead of skipping.

    A name that is not a shipped framework's key (a typo such as ``spring``, an
    alias, a framework whose template comes later) is a usage error of the test
    run, never a requirement that silently covers nothing.
    """
    names = {name.strip() for name in os.environ.get("STACKSTART_REQUIRE", "").split(",") if name.strip()}
    unknown = sorted(names - set(catalog.SHIPPED))
    if unknown:
        raise pytest.UsageError(
            f"STACKSTART_REQUIRE names {', '.join(unknown)}; this release ships {', '.join(catalog.SHIPPED)}"
        )
    return names


def need_tools(framework: str, *tools: str) -> None:
    """Skip (or, for a required framework, fail) when a tool is missing."""
    fw = catalog.get(framework)
    missing = [t for t in tools if shutil.which(t) is None]
    missing += toolchains.missing_tools(fw) if not tools else []
    if missing:
        message = f"{framework}: missing {', '.join(missing)}"
        if framework in required_frameworks():
            pytest.fail(message + " (required by STACKSTART_REQUIRE)")
        pytest.skip(message)


def variant_id(framework: str, options: catalog.Options) -> str:
    """Readable test id like ``flask-postgresql-auth-admin-docker-ci``."""
    return f"{framework}-{options.slug}"


def available_frameworks() -> list[str]:
    """Frameworks whose template ships in this release."""
    return [f.key for f in catalog.FRAMEWORKS if f.key in catalog.SHIPPED]


def quick_start_lines(readme: str) -> list[str]:
    """The commands of the README's `## Quick start` section: its one ```sh block, without comments and blank lines."""
    section = readme.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)\n```", section, flags=re.S)
    assert len(blocks) == 1, f"## Quick start must hold exactly one sh block, found {len(blocks)}"
    lines = [re.sub(r"\s+#.*$", "", line).strip() for line in blocks[0].splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def env_file_values(env_file: Path) -> dict[str, str]:
    """KEY=value lines of a .env file (comments and other lines left out)."""
    lines = env_file.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


def envelope(stdout: str, command: str) -> dict[str, Any]:
    """The one JSON document a ``--json`` run printed, checked against docs/json.md."""
    doc: dict[str, Any] = json.loads(stdout)
    assert set(doc) in (
        {"schema", "stackstart", "command", "project", "result"},
        {"schema", "stackstart", "command", "project", "error"},
    ), doc
    assert (doc["schema"], doc["command"]) == (1, command)
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", doc["stackstart"]), doc["stackstart"]  # a release test runs others
    assert doc["project"] is None or set(doc["project"]) == {"name", "path"}
    return doc


def json_result(stdout: str, command: str) -> dict[str, Any]:
    """The ``result`` of the envelope a successful ``--json`` run printed."""
    doc = envelope(stdout, command)
    assert "result" in doc, doc
    result: dict[str, Any] = doc["result"]
    return result
