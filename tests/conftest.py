"""Shared fixtures: isolation of HOME/git/cwd, toolchain requirements, PostgreSQL."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sysconfig
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import required_frameworks

# Package caches survive HOME isolation so build tests don't download everything per test.
_REAL_HOME = Path.home()
# read before the isolation fixture clears every STACKSTART_* variable for the tests
_SERVER_POSTGRES_URL = os.environ.get("STACKSTART_POSTGRES_URL")
_CACHES = {
    "UV_CACHE_DIR": str(_REAL_HOME / ".cache" / "uv"),
    "PIP_CACHE_DIR": str(_REAL_HOME / ".cache" / "pip"),
    "npm_config_cache": str(_REAL_HOME / ".npm"),
    # Maven: the wrapper's distributions and the local repository are shared by every build
    "MAVEN_USER_HOME": str(_REAL_HOME / ".m2"),
    "MAVEN_OPTS": f"-Dmaven.repo.local={_REAL_HOME / '.m2' / 'repository'}",
}


@pytest.fixture(scope="session")
def _template_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One stackstart cache per test worker: the template bundle is keyed by content, so sharing it is safe."""
    return tmp_path_factory.mktemp("stackstart-cache")


@pytest.fixture(autouse=True)
def _isolate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _template_cache: Path) -> None:
    """Every test runs in tmp_path with its own HOME and git config."""
    for key in [k for k in os.environ if k.startswith(("STACKSTART_", "XDG_"))]:
        if key != "STACKSTART_REQUIRE":
            monkeypatch.delenv(key)
    monkeypatch.setenv("XDG_CACHE_HOME", str(_template_cache))
    home = tmp_path / "home"
    home.mkdir()
    gitconfig = home / ".gitconfig"
    gitconfig.write_text("[user]\n\tname = Test User\n\temail = test@example.com\n[init]\n\tdefaultBranch = main\n")
    for key, value in _CACHES.items():
        monkeypatch.setenv(key, os.environ.get(key, value))
    monkeypatch.setenv("HOME", str(home))
    # linters installed with the test extra (hadolint, uv) live beside this Python
    monkeypatch.setenv("PATH", os.pathsep.join([sysconfig.get_path("scripts"), os.environ.get("PATH", "")]))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for key in ("GIT_DIR", "GIT_WORK_TREE", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL", "STACKSTART_DEBUG"):
        monkeypatch.delenv(key, raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _postgres_bindir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return candidates[-1].parent if candidates else None


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL server URL whose role may create databases.

    $STACKSTART_POSTGRES_URL if set (as `.ci/run` does); otherwise a throwaway
    cluster started here (as the postgres user when running as root).
    """
    if _SERVER_POSTGRES_URL:
        yield _SERVER_POSTGRES_URL
        return
    bindir = _postgres_bindir()
    if bindir is None:
        message = "PostgreSQL server binaries not found (apt-get install postgresql)"
        if required_frameworks():
            pytest.fail(message)
        pytest.skip(message)
    # not under pytest's tmp dir: that is private to root, and the server runs as "postgres"
    base = Path(tempfile.mkdtemp(prefix="stackstart-pg-"))
    data = base / "data"
    runner: list[str] = []
    if os.geteuid() == 0:
        runner = ["runuser", "-u", "postgres", "--"]
        shutil.chown(base, "postgres")
    port = _free_port()
    subprocess.run(
        [*runner, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *runner,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(base / "log"),
            "-w",
            "-o",
            f"-p {port} -k {base} -c listen_addresses=127.0.0.1",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        time.sleep(0.2)
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*runner, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"], check=False, capture_output=True
        )
        shutil.rmtree(base, ignore_errors=True)
