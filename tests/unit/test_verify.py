"""verify's pure helpers: how a database URL becomes each framework's variables."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

from stackstart import catalog, contract, verify
from stackstart.errors import ToolError, UsageError
from tests.helpers import skip_or_fail


@pytest.mark.parametrize(
    ("framework", "url", "expected"),
    [
        ("flask", "mysql://u:p@127.0.0.1:3307/db", {"DATABASE_URL": "mysql://u:p@127.0.0.1:3307/db"}),
        (
            "springboot",
            "mysql://u:p%40ss@127.0.0.1:3307/db",
            {
                "SPRING_DATASOURCE_URL": "jdbc:mysql://127.0.0.1:3307/db",
                "SPRING_DATASOURCE_USERNAME": "u",
                "SPRING_DATASOURCE_PASSWORD": "p@ss",
            },
        ),
        (
            "springboot",
            "mysql://u:p@db.example/shop",  # no port: MySQL's own
            {
                "SPRING_DATASOURCE_URL": "jdbc:mysql://db.example:3306/shop",
                "SPRING_DATASOURCE_USERNAME": "u",
                "SPRING_DATASOURCE_PASSWORD": "p",
            },
        ),
        (
            "springboot",
            "postgres://u:p@db.example/shop",
            {
                "SPRING_DATASOURCE_URL": "jdbc:postgresql://db.example:5432/shop",
                "SPRING_DATASOURCE_USERNAME": "u",
                "SPRING_DATASOURCE_PASSWORD": "p",
            },
        ),
        ("springboot", "sqlite:////tmp/x.db", {"SPRING_DATASOURCE_URL": "jdbc:sqlite:/tmp/x.db"}),
        (
            "aspnet",
            "mysql://u:p@h/db",
            {"ConnectionStrings__Default": "Server=h;Port=3306;Database=db;User ID=u;Password=p"},
        ),
        (
            "aspnet",
            "postgresql://u:p@h:6543/db",
            {"ConnectionStrings__Default": "Host=h;Port=6543;Database=db;Username=u;Password=p"},
        ),
    ],
)
def test_database_env_speaks_each_frameworks_format(framework: str, url: str, expected: dict[str, str]) -> None:
    assert verify.database_env(catalog.get(framework), url) == expected


DOCKERFILE = """\
FROM python:3.12-slim AS build
WORKDIR /src
HEALTHCHECK CMD ["false"]

FROM python:3.12-slim
WORKDIR /app
# a comment
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \\
    CMD ["python", "-c", "print('ok')"]
CMD ["gunicorn"]
"""


def test_healthcheck_of_the_final_stage_in_exec_form() -> None:
    assert verify.healthcheck_command(DOCKERFILE) == (["python", "-c", "print('ok')"], 5.0, "/app")


def test_healthcheck_in_shell_form_and_none() -> None:
    shell = "FROM x\nHEALTHCHECK --timeout=1m30s CMD curl -fsS http://127.0.0.1:$PORT/health || exit 1\n"
    assert verify.healthcheck_command(shell) == (
        ["/bin/sh", "-c", "curl -fsS http://127.0.0.1:$PORT/health || exit 1"],
        90.0,
        None,
    )
    assert verify.healthcheck_command(shell + "HEALTHCHECK NONE\n") is None
    assert verify.healthcheck_command(DOCKERFILE.replace("HEALTHCHECK --interval", "# HEALTHCHECK --interval")) is None


def test_a_server_that_stops_answering_is_a_failed_check_not_a_crash() -> None:
    with socket.socket() as sock:  # a port nobody listens on any more
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    checks = verify._guarded(
        contract.run_contract, f"http://127.0.0.1:{port}", project_name="shop", database=True, auth=True, admin=True
    )
    assert [(c.name, c.passed) for c in checks] == [("the server keeps answering", False)]
    assert "connection failed" in checks[0].detail


def test_server_sql_refuses_a_database_without_a_server() -> None:
    with pytest.raises(UsageError, match="sqlite has no server"):
        verify.server_sql("sqlite", "sqlite:///x.db", "SELECT 1")


def test_server_sql_without_the_client_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no psql, no mariadb/mysql
    with pytest.raises(UsageError, match="needs the psql client on PATH"):
        verify.server_sql("postgresql", "postgresql://u@127.0.0.1:1/postgres", "SELECT 1")
    with pytest.raises(UsageError, match="needs the mariadb or mysql client on PATH"):
        verify.server_sql("mysql", "mysql://u@127.0.0.1:1/mysql", "SELECT 1")


def test_server_sql_reports_a_failing_statement(monkeypatch: pytest.MonkeyPatch) -> None:
    if shutil.which("psql") is None:
        skip_or_fail("psql is not installed")
    # nothing listens on port 1: the client fails, and the error names it
    with pytest.raises(ToolError, match="psql failed on 'SELECT 1'"):
        verify.server_sql("postgresql", "postgresql://u@127.0.0.1:1/postgres?connect_timeout=2", "SELECT 1")
