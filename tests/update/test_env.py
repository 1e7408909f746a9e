"""Defect 4: the git-ignored `.env` follows the template through an update, and keeps every line of the user."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from stackstart import catalog, update
from tests.helpers import json_result
from tests.unit.test_cli import _Entry
from tests.update.conftest import TemplateRepo

pytestmark = pytest.mark.update

EXAMPLE = ".env.example.jinja"


def env_of(project: Path) -> dict[str, str]:
    lines = (project / ".env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.lstrip().startswith("#"))


def example_of(project: Path) -> dict[str, str]:
    lines = (project / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.lstrip().startswith("#"))


def substituted(value: str, env: dict[str, str]) -> str:
    return re.sub(r"\$\{(\w+)\}", lambda m: env[m.group(1)], value)


def test_database_change_moves_an_unchanged_database_url(
    template_repo: TemplateRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = template_repo.new(tmp_path, template_repo.release("v1"))
    assert env_of(project)["DATABASE_URL"].startswith("sqlite")
    (project / ".env").write_text((project / ".env").read_text() + "# our own\nMY_FLAG=1\n")
    before_lines = (project / ".env").read_text().splitlines()
    monkeypatch.setenv("STACKSTART_TEMPLATE_SOURCE", str(template_repo.path))
    result = CliRunner().invoke(_Entry(), ["update", str(project), "--database", "postgresql", "--json"])  # type: ignore[arg-type]
    assert result.exit_code == 0, result.output
    env = env_of(project)
    wanted = substituted(example_of(project)["DATABASE_URL"], env)
    assert wanted.startswith("postgresql://")
    assert env["DATABASE_URL"] == wanted
    assert env["SECRET_KEY"] == dict(line.split("=", 1) for line in before_lines if "=" in line)["SECRET_KEY"]
    after_lines = (project / ".env").read_text().splitlines()
    assert [line for line in before_lines if not line.startswith("DATABASE_URL=")] == [
        line for line in after_lines if line in before_lines
    ]  # every other line kept, in order
    assert "# our own" in after_lines
    assert "MY_FLAG=1" in after_lines
    assert stat.S_IMODE((project / ".env").stat().st_mode) == 0o600
    doc = json_result(result.stdout, "update")
    assert doc["env"]["updated"] == ["DATABASE_URL"]
    assert doc["env"]["kept"] == []


def test_a_value_the_user_changed_is_kept_and_reported(
    template_repo: TemplateRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = template_repo.new(tmp_path, template_repo.release("v1"))
    text = (project / ".env").read_text()
    mine = "postgresql://me:pw-7f3a9c@db.internal/shop"
    (project / ".env").write_text(re.sub(r"(?m)^DATABASE_URL=.*$", f"DATABASE_URL={mine}", text))
    monkeypatch.setenv("STACKSTART_TEMPLATE_SOURCE", str(template_repo.path))
    result = CliRunner().invoke(_Entry(), ["update", str(project), "--database", "mysql", "--json"])  # type: ignore[arg-type]
    assert result.exit_code == 0, result.output
    assert env_of(project)["DATABASE_URL"] == mine
    doc = json_result(result.stdout, "update")
    assert doc["env"]["kept"] == ["DATABASE_URL"]
    assert any("DATABASE_URL" in note and ".env" in note for note in doc["notes"])
    assert "pw-7f3a9c" not in json.dumps(doc)  # values never printed: they may hold passwords


def test_new_keys_reach_env_with_fresh_secrets(
    template_repo: TemplateRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = template_repo.new(tmp_path, template_repo.release("v1"))
    before = (project / ".env").read_text()

    def v2(flask: Path) -> None:
        example = flask / EXAMPLE
        example.write_text(
            example.read_text()
            + "\n\n# v2\nCACHE_TTL=300\nCACHE_TOKEN=\nCACHE_URL=redis://:${CACHE_TOKEN}@127.0.0.1:6379/0\n"
        )

    monkeypatch.setattr(catalog, "SHARED_SECRETS", {**catalog.SHARED_SECRETS, "CACHE_TOKEN": "password"})
    result = update.update(project, source=template_repo.release("v2", v2))
    assert result.conflicted == []
    text = (project / ".env").read_text()
    assert text.startswith(before)  # appended, nothing above changed
    env = env_of(project)
    assert env["CACHE_TTL"] == "300"
    assert re.fullmatch(r"[0-9a-f]{48}", env["CACHE_TOKEN"])
    assert env["CACHE_URL"] == f"redis://:{env['CACHE_TOKEN']}@127.0.0.1:6379/0"
    assert sorted(result.env.added) == ["CACHE_TOKEN", "CACHE_TTL", "CACHE_URL"]


def test_a_project_without_env_gets_none(template_repo: TemplateRepo, tmp_path: Path) -> None:
    """A fresh clone has no .env (it is git-ignored): update does not invent one."""
    project = template_repo.new(tmp_path, template_repo.release("v1"))
    (project / ".env").unlink()
    result = update.update(project, {"database": "postgresql"}, source=template_repo.release("v2"))
    assert result.conflicted == []
    assert not (project / ".env").exists()
