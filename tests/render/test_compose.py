"""Every compose.yaml, as the `.env` written by `stackstart new` completes it, is valid for Docker Compose.

`docker compose config` (or Debian's docker-compose, which checks the same
schema) resolves `${VAR:?message}`/`${VAR:-default}` from `.env`, validates the
file against the Compose schema and checks that build contexts exist. There is
no Docker engine here, so `config` is as far as compose can go; the services
themselves are run by the contract tier (the healthcheck, the production
settings) and the README's quick start by the build tier.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from stackstart import catalog, generate
from stackstart.catalog import Options
from tests.helpers import available_frameworks, env_file_values, skip_or_fail

pytestmark = pytest.mark.render

CASES = [(fw, db) for fw in available_frameworks() for db in catalog.DATABASES]


def compose_command() -> list[str]:
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    skip_or_fail("no Docker Compose CLI (apt-get install docker-compose)")


@pytest.mark.parametrize(("framework", "database"), CASES, ids=[f"{f}-{d}" for f, d in CASES])
def test_compose_file_is_valid_with_the_generated_env(tmp_path: Path, framework: str, database: str) -> None:
    compose = compose_command()
    options = Options(database=database, auth=database != "none", admin=database != "none", docker=True, ci="none")
    project = tmp_path / "shop"
    generate.create(generate.NewRequest("shop", catalog.get(framework), options, project, git=False))

    done = subprocess.run([*compose, "config"], cwd=project, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    resolved = yaml.safe_load(done.stdout)
    assert not re.search(r"(?<!\$)\$\{", done.stdout), "an unresolved variable ($${X} is compose's escape)"
    if database in ("postgresql", "mysql"):
        db = resolved["services"]["db"]
        assert all(str(p).startswith("127.0.0.1:") for p in db["ports"]), "the database is published on loopback only"
        assert env_file_values(project / ".env")["DB_PASSWORD"] in done.stdout, "compose takes the password from .env"

        # without DB_PASSWORD in .env, compose refuses instead of starting a database with a blank password
        text = (project / ".env").read_text()
        (project / ".env").write_text("".join(line for line in text.splitlines(True) if not line.startswith("DB_")))
        done = subprocess.run([*compose, "config", "-q"], cwd=project, capture_output=True, text=True)
        assert done.returncode != 0
        assert "DB_PASSWORD" in done.stderr, done.stderr
