"""verify's pure helpers: how a database URL becomes each framework's variables."""

from __future__ import annotations

import pytest

from stackstart import catalog, verify


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
