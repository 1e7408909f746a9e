"""verify's pure helpers: how a database URL becomes each framework's variables."""

from __future__ import annotations

import socket

import pytest

from stackstart import catalog, contract, verify


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
