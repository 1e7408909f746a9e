"""The database servers of the contract tier, and how verify makes and drops its throwaway databases on them."""

from __future__ import annotations

import os

import pytest

from stackstart import verify

pytestmark = pytest.mark.contract

SERVERS = {"postgresql": ("postgres_url", "STACKSTART_POSTGRES_URL"), "mysql": ("mysql_url", "STACKSTART_MYSQL_URL")}


@pytest.mark.parametrize("database", list(SERVERS))
def test_verify_creates_and_drops_its_databases(
    database: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    fixture, variable = SERVERS[database]
    server = request.getfixturevalue(fixture)
    monkeypatch.setenv(variable, server)
    list_sql = {
        "postgresql": "SELECT datname FROM pg_database",
        "mysql": "SELECT schema_name FROM information_schema.schemata",
    }[database]

    def existing() -> set[str]:
        return set(verify.server_sql(database, server, list_sql).split())

    with verify.server_databases(database, 2) as found:
        names = [url.rsplit("/", 1)[1] for url in found.urls]
        assert len(set(names)) == 2
        assert set(names) <= existing()
        assert found.server is not None
        assert found.server.startswith({"postgresql": "PostgreSQL 1", "mysql": "MariaDB 1"}[database]), found.server
        # each URL reaches its own new database with the server's credentials
        current = {"postgresql": "SELECT current_database()", "mysql": "SELECT DATABASE()"}[database]
        for url, name in zip(found.urls, names, strict=True):
            assert verify.server_sql(database, url, current) == name
    assert not set(names) & existing()
    assert os.environ[variable] == server
