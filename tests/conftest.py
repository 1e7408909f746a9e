"""Shared fixtures: isolation of HOME/git/cwd, toolchain requirements, PostgreSQL and MariaDB servers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sysconfig
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import free_port, required_frameworks, skip_or_fail

# Package caches survive HOME isolation so build tests don't download everything per test.
_REAL_HOME = Path.home()
# read before the isolation fixture clears every STACKSTART_* variable for the tests
_SERVER_POSTGRES_URL = os.environ.get("STACKSTART_POSTGRES_URL")
_SERVER_MYSQL_URL = os.environ.get("STACKSTART_MYSQL_URL")
_CACHES = {
    "UV_CACHE_DIR": str(_REAL_HOME / ".cache" / "uv"),
    "PIP_CACHE_DIR": str(_REAL_HOME / ".cache" / "pip"),
    "npm_config_cache": str(_REAL_HOME / ".npm"),
    # Maven: the wrapper's distributions and the local repository are shared by every build
    "MAVEN_USER_HOME": str(_REAL_HOME / ".m2"),
    "MAVEN_OPTS": f"-Dmaven.repo.local={_REAL_HOME / '.m2' / 'repository'}",
}


def pytest_configure(config: pytest.Config) -> None:
    required_frameworks()  # a bad STACKSTART_REQUIRE stops the run before any test


@pytest.fixture(scope="session")
def _template_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One stackstart cache for the whole test session, every xdist worker included.

    What it holds is keyed by content (the cache bundle by the template's digest, the
    extracted trees by tag object id, compiled Jinja by source) and built under its
    lock, renamed into place whole; so the first worker that needs the bundle builds
    it, the other waits for it, and no test sees another's changes.
    """
    base = tmp_path_factory.getbasetemp()
    session = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # xdist: workers' folders share a parent
    cache = session / "stackstart-cache"
    cache.mkdir(exist_ok=True)
    return cache


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
        _missing_server("PostgreSQL server binaries not found (apt-get install postgresql)")
        return
    # not under pytest's tmp dir: that is private to root, and the server runs as "postgres"
    base = Path(tempfile.mkdtemp(prefix="stackstart-pg-"))
    data = base / "data"
    runner: list[str] = []
    if os.geteuid() == 0:
        runner = ["runuser", "-u", "postgres", "--"]
        shutil.chown(base, "postgres")
    port = free_port()
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


def _missing_server(message: str) -> None:
    """Skip, or fail when STACKSTART_REQUIRE says this machine must cover the contract tier."""
    skip_or_fail(message)


def _mariadb_tools() -> tuple[str, str, str] | None:
    """mariadb-install-db, mariadbd and the mariadb client, or None when the server is not installed."""
    install = shutil.which("mariadb-install-db") or shutil.which("mysql_install_db")
    server = shutil.which("mariadbd") or shutil.which("mariadbd", path="/usr/sbin:/usr/libexec")
    client = shutil.which("mariadb") or shutil.which("mysql")
    return (install, server, client) if install and server and client else None


@pytest.fixture(scope="session")
def mysql_url() -> Iterator[str]:
    """A MySQL-protocol server URL (``mysql://user:password@127.0.0.1:port/mysql``) whose user may create databases.

    $STACKSTART_MYSQL_URL if set; otherwise a throwaway MariaDB server from
    Debian's packages: its own data directory and socket under a temporary
    folder, a free port on 127.0.0.1, Debian's utf8mb4 server defaults, and
    everything removed afterwards.
    """
    if _SERVER_MYSQL_URL:
        yield _SERVER_MYSQL_URL
        return
    tools = _mariadb_tools()
    if tools is None:
        _missing_server("MariaDB server binaries not found (apt-get install mariadb-server)")
        return
    install_db, mariadbd, client = tools
    # not under pytest's tmp dir: that is private to root, and the server runs as "mysql"
    base = Path(tempfile.mkdtemp(prefix="stackstart-my-"))
    data, sock = base / "data", base / "mysqld.sock"
    user: list[str] = []
    if os.geteuid() == 0:
        user = ["--user=mysql"]
        shutil.chown(base, "mysql")
    port = free_port()
    process: subprocess.Popen[bytes] | None = None
    try:
        subprocess.run(
            [
                install_db,
                "--no-defaults",
                f"--datadir={data}",
                *user,
                "--skip-test-db",
                "--auth-root-authentication-method=normal",
            ],
            check=True,
            capture_output=True,
        )
        process = subprocess.Popen(
            [
                mariadbd,
                "--no-defaults",
                f"--datadir={data}",
                *user,
                f"--port={port}",
                "--bind-address=127.0.0.1",
                f"--socket={sock}",
                f"--pid-file={base / 'mysqld.pid'}",
                f"--log-error={base / 'error.log'}",
                "--skip-name-resolve",
                # Debian's own server defaults (50-server.cnf), which --no-defaults leaves out
                "--character-set-server=utf8mb4",
                "--collation-server=utf8mb4_general_ci",
                "--innodb-buffer-pool-size=64M",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        root = [client, "--no-defaults", "--protocol=socket", f"--socket={sock}", "-uroot"]
        deadline = time.monotonic() + 60
        while subprocess.run([*root, "-e", "SELECT 1"], capture_output=True, check=False).returncode != 0:
            if process.poll() is not None or time.monotonic() > deadline:
                log = (base / "error.log").read_text(errors="replace") if (base / "error.log").exists() else ""
                pytest.fail(f"MariaDB did not start:\n{log[-2000:]}")
            time.sleep(0.2)
        password = "stackstart"
        grants = " ".join(
            f"CREATE USER 'stackstart'@'{host}' IDENTIFIED BY '{password}';"
            f" GRANT ALL ON *.* TO 'stackstart'@'{host}' WITH GRANT OPTION;"
            for host in ("127.0.0.1", "localhost")
        )
        subprocess.run([*root, "-e", grants], check=True, capture_output=True)
        yield f"mysql://stackstart:{password}@127.0.0.1:{port}/mysql"
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(base, ignore_errors=True)
