"""Helpers shared by the test tiers (imported, not fixtures)."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
from pathlib import Path
from typing import Any, NoReturn

import pytest
from click.testing import CliRunner, Result

from stackstart import catalog, cli, toolchains, verify

__all__ = [
    "available_frameworks",
    "checkout",
    "commit",
    "describe",
    "env_file_values",
    "envelope",
    "free_port",
    "freeze",
    "git",
    "invoke",
    "json_result",
    "need_linters",
    "need_tools",
    "quick_start_lines",
    "required_frameworks",
    "set_version",
    "skip_or_fail",
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
        skip_or_fail(f"{framework}: missing {', '.join(missing)}", required=framework in required_frameworks())


def need_linters(*tools: str) -> None:
    """Skip when a checker of the test run (hadolint, actionlint) is missing; fail when STACKSTART_REQUIRE is set.

    Call it before the test does anything else, so that a skipped test is one
    where nothing ran, never one whose other checks passed unseen.
    """
    absent = [tool for tool in tools if shutil.which(tool) is None]
    if absent:
        skip_or_fail(f"{', '.join(absent)} not installed (the test extra brings hadolint; .ci/run installs actionlint)")


def skip_or_fail(message: str, *, required: bool | None = None) -> NoReturn:
    """Skip the test; fail it instead when the run must cover it (by default: whenever STACKSTART_REQUIRE is set)."""
    if required if required is not None else bool(required_frameworks()):
        pytest.fail(message + " (STACKSTART_REQUIRE is set)")
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


def describe(report: verify.VerifyReport) -> str:
    """Every step of a verify report with its status, time and output tail: the message of a failed build test."""
    return "\n".join(f"{s.name}: {s.status} ({s.seconds:.1f}s)\n{s.detail}" for s in report.steps)


class _Entry:
    """Lets CliRunner drive :func:`stackstart.cli.main`, where exit codes are decided."""

    name = "stackstart"

    def main(self, args: list[str], prog_name: str | None = None, **_: Any) -> None:
        cli.main(list(args))


def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    """``stackstart ARGS`` in this process through the real entry point, as click's CliRunner sees it."""
    return CliRunner(env=env).invoke(_Entry(), list(args), input=input)  # type: ignore[arg-type]


# --- a stackstart checkout, for the release tests (unit and update tiers) ---

CHECKOUT_ROOT = Path(__file__).resolve().parents[1]
FREEZE = ["python3", "-m", "stackstart.history", "freeze"]  # with PYTHONPATH=src, as docs/updating.md says


def checkout(where: Path, version: str = "0.1.0") -> Path:
    """A plain clone of stackstart (no install): template, sources, build files, one commit (release tests)."""
    where.mkdir(parents=True)
    for name in ("copier.yml", "pyproject.toml", "hatch_build.py", "README.md"):
        shutil.copy2(CHECKOUT_ROOT / name, where / name)
    shutil.copytree(CHECKOUT_ROOT / "templates", where / "templates", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(
        CHECKOUT_ROOT / "src" / "stackstart",
        where / "src" / "stackstart",
        ignore=shutil.ignore_patterns("__pycache__", "releases.bundle", "_template"),
    )
    set_version(where, version)
    git(where, "init", "-q", "-b", "main")
    commit(where, "stackstart")
    return where


def git(where: Path, *args: str) -> str:
    """``git ARGS`` in ``where``; its stdout. Fails the test when git fails."""
    done = subprocess.run(["git", *args], cwd=where, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def commit(where: Path, message: str) -> None:
    """Stage everything in ``where`` and commit it."""
    git(where, "add", "-A")
    git(where, "commit", "-q", "-m", message)


def set_version(root: Path, version: str) -> None:
    """Write ``version`` into the checkout's ``stackstart/__init__.py``."""
    init = root / "src" / "stackstart" / "__init__.py"
    init.write_text(re.sub(r'__version__ = "[^"]*"', f'__version__ = "{version}"', init.read_text()))


def freeze(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The maintainer's ``history freeze`` in a checkout, with its own sources on PYTHONPATH."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"PYTHONPATH": "src"}
    return subprocess.run([*FREEZE, *args], cwd=root, env=env, capture_output=True, text=True, check=False)


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
