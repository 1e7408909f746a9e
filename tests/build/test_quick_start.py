"""The output README's `## Quick start`, run line by line as a new user would, against a real database server.

For postgresql and mysql outputs the first line is `docker compose up -d db`.
There is no Docker engine here, so this test does what that line does, read
from the output's own compose.yaml: on the test session's server it creates
the user, password and database that the compose `db` service's environment
names (the PostgreSQL image's POSTGRES_USER is a superuser; the MySQL image's
MYSQL_USER gets every privilege on MYSQL_DATABASE only, nothing more). The
server listens on another port than the README's default, so `.env` gets that
port, as the README tells a user whose port is taken. Every other line runs
unchanged, in order, in one shell (a `cd` or an activated virtualenv carries
over); the last line (the catalog's run command) must serve /health.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from stackstart import catalog, naming, verify
from tests.helpers import available_frameworks, env_file_values, free_port, need_tools, quick_start_lines

pytestmark = pytest.mark.build

SERVERS = {"postgresql": ("postgres_url", 5432), "mysql": ("mysql_url", 3306)}
CASES = [(fw, db) for fw in available_frameworks() for db in SERVERS]
FLAGS = ["--auth", "--admin", "--docker", "--defaults"]


def compose_value(value: str, env: dict[str, str]) -> str:
    """A compose environment value with ${VAR}, ${VAR:-default} and ${VAR:?message} taken from .env."""

    def lookup(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(3) or ""
        try:
            return env[name] or default
        except KeyError:
            assert match.group(2) != ":?", f"compose needs {name}, which .env does not set"
            return default

    return re.sub(r"\$\{(\w+)(?:(:[-?])([^}]*))?\}", lookup, str(value))


def sql(database: str, server: str, statement: str) -> None:
    verify.server_sql(database, server, statement)


@contextlib.contextmanager
def compose_db_service(database: str, server: str, project: Path) -> Iterator[None]:
    """What `docker compose up -d db` would create, on the test server; removed afterwards."""
    env_file = project / ".env"
    service = yaml.safe_load((project / "compose.yaml").read_text())["services"]["db"]
    env = env_file_values(env_file)
    environment = {key: compose_value(value, env) for key, value in service["environment"].items()}
    if database == "postgresql":
        user, password, name = (environment[k] for k in ("POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"))
        create = [
            f"CREATE ROLE \"{user}\" LOGIN SUPERUSER PASSWORD '{password}'",
            f'CREATE DATABASE "{name}" OWNER "{user}"',
        ]
        drop = [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'DROP ROLE IF EXISTS "{user}"']
    else:
        user, password, name = (environment[k] for k in ("MYSQL_USER", "MYSQL_PASSWORD", "MYSQL_DATABASE"))
        create = [f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"]
        for host in (
            "127.0.0.1",
            "localhost",
            "%",
        ):  # the image's user is 'user'@'%'; MariaDB matches anonymous hosts first
            create += [
                f"CREATE USER '{user}'@'{host}' IDENTIFIED BY '{password}'",
                f"GRANT ALL PRIVILEGES ON `{name}`.* TO '{user}'@'{host}'",
            ]
        drop = [f"DROP DATABASE IF EXISTS `{name}`"] + [
            f"DROP USER IF EXISTS '{user}'@'{host}'" for host in ("127.0.0.1", "localhost", "%")
        ]
    for statement in drop + create:
        sql(database, server, statement)
    try:
        yield
    finally:
        for statement in drop:
            with contextlib.suppress(Exception):
                sql(database, server, statement)


def answers_health(port: int, path: str) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as response:
            return int(response.status) == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.mark.parametrize(("framework", "database"), CASES, ids=[f"{f}-{d}" for f, d in CASES])
def test_readme_quick_start_runs_in_order(
    tmp_path: Path, framework: str, database: str, request: pytest.FixtureRequest
) -> None:
    need_tools(framework)
    fixture, default_port = SERVERS[database]
    server: str = request.getfixturevalue(fixture)
    fw = catalog.get(framework)
    name = f"qs-{secrets.token_hex(3)}"
    subprocess.run(
        ["python3", "-m", "stackstart", "new", name, "-f", framework, "--database", database, *FLAGS],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    project = tmp_path / name
    lines = quick_start_lines((project / "README.md").read_text())
    assert lines[0] == "docker compose up -d db", lines
    run = catalog.command(fw, "run", naming.identifiers(name).as_dict())
    assert lines[-1] == run, "the last line starts the server"

    # the README's advice for a taken port: DB_PORT and the port in the database URL
    port = urllib.parse.urlsplit(server).port
    env_file = project / ".env"
    text = env_file.read_text()
    assert f"127.0.0.1:{default_port}" in text, ".env must point at the compose database"
    text = text.replace(f"127.0.0.1:{default_port}", f"127.0.0.1:{port}")
    env_file.write_text(re.sub(r"(?m)^DB_PORT=.*$", f"DB_PORT={port}", text))

    http_port = free_port()
    script = "set -e\n" + "\n".join(lines[1:-1]) + f"\n{lines[-1]} &\nwait $!\n"
    env = {k: v for k, v in os.environ.items() if not re.match(r"(TEST_)?DATABASE_URL|SPRING_|ConnectionStrings", k)}
    env["PORT"] = str(http_port)
    log = tmp_path / "quick-start.log"
    with compose_db_service(database, server, project), log.open("wb") as out:
        shell = subprocess.Popen(
            ["bash", "-c", script], cwd=project, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            deadline = time.monotonic() + 1500
            while not answers_health(http_port, fw.health_path):
                if shell.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the quick start did not serve {fw.health_path}:\n" + log.read_text()[-6000:])
                time.sleep(0.5)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(shell.pid, signal.SIGTERM)
            try:
                shell.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(shell.pid, signal.SIGKILL)
                shell.wait()
