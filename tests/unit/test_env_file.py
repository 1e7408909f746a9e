"""The git-ignored .env that `new` writes from .env.example."""

from __future__ import annotations

import stat
from pathlib import Path

from stackstart.project_files import write_env


def _env(project: Path) -> dict[str, str]:
    lines = (project / ".env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


def test_a_shared_secret_is_generated_once_and_substituted_where_referenced(tmp_path: Path) -> None:
    (tmp_path / ".env.example").write_text(
        "# DATABASE_URL=postgresql://shop:${DB_PASSWORD}@db/shop stays a comment\n"
        "SECRET_KEY=\n"
        "DB_PASSWORD=\n"
        "DATABASE_URL=postgresql://shop:${DB_PASSWORD}@127.0.0.1:5432/shop\n"
        "PORT=8000\n"
    )
    write_env(tmp_path, {"SECRET_KEY": "token"})
    env = _env(tmp_path)
    password = env["DB_PASSWORD"]
    assert len(password) == 48
    assert all(c in "0123456789abcdef" for c in password)
    assert env["DATABASE_URL"] == f"postgresql://shop:{password}@127.0.0.1:5432/shop"
    assert len(env["SECRET_KEY"]) > 40
    assert env["SECRET_KEY"] != password
    assert env["PORT"] == "8000"
    assert "${DB_PASSWORD}" in (tmp_path / ".env").read_text().splitlines()[0]  # comments untouched
    assert stat.S_IMODE((tmp_path / ".env").stat().st_mode) == 0o600


def test_shared_secrets_are_only_written_when_the_template_asks(tmp_path: Path) -> None:
    (tmp_path / ".env.example").write_text("SECRET_KEY=\nPORT=8000\n")
    write_env(tmp_path, {"SECRET_KEY": "token"})
    assert set(_env(tmp_path)) == {"SECRET_KEY", "PORT"}


def test_a_value_already_set_in_the_example_is_kept(tmp_path: Path) -> None:
    (tmp_path / ".env.example").write_text("DB_PASSWORD=fixed\nDATABASE_URL=mysql://u:${DB_PASSWORD}@h/d\n")
    write_env(tmp_path, {})
    env = _env(tmp_path)
    assert env["DB_PASSWORD"] == "fixed"
    assert env["DATABASE_URL"] == "mysql://u:${DB_PASSWORD}@h/d"  # nothing generated, nothing substituted
