"""Render checks specific to the Spring Boot template (the shared matrix is in test_render.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stackstart import catalog, generate
from stackstart.catalog import Options

pytestmark = pytest.mark.render

FW = catalog.get("springboot")
TEMPLATE = catalog.template_root() / "templates" / "springboot"
_IF = re.compile(r"\{%-?\s*if\s")
# the contract's variables (docs/contract.md) and the option that makes each one apply
CONTRACT_ENV = {
    "PORT": None,
    "LOG_LEVEL": None,
    "CORS_ORIGINS": None,
    "BEHIND_PROXY": None,
    "SPRING_DATASOURCE_URL": "database",
    "AUTH_TOKEN_TTL": "auth",
    "AUTH_RATE_LIMIT": "auth",
    "SESSION_COOKIE_SECURE": "admin",
    "ADMIN_PASSWORD": "admin",
}


def _render(tmp_path: Path, options: Options) -> Path:
    destination = tmp_path / "shop"
    generate.create(generate.NewRequest("shop", FW, options, destination, git=False))
    return destination


def _applies(option: str | None, options: Options) -> bool:
    if option is None:
        return True
    return options.database != "none" if option == "database" else bool(getattr(options, option))


def test_no_template_file_but_the_manifest_has_more_than_two_if_blocks() -> None:
    crowded = {
        path.relative_to(TEMPLATE).as_posix(): count
        for path in TEMPLATE.rglob("*")
        if path.is_file() and path.name != "pom.xml.jinja" and (count := len(_IF.findall(path.read_text()))) > 2
    }
    assert crowded == {}


@pytest.mark.parametrize("options", list(catalog.combinations()), ids=lambda o: o.slug)
def test_readme_env_and_database_files_follow_the_options(tmp_path: Path, options: Options) -> None:
    project = _render(tmp_path, options)
    readme = (project / "README.md").read_text()
    values = {"name": "shop", "email": "admin@example.com"}

    quickstart = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)\n```", quickstart, flags=re.S)
    assert len(blocks) == 1
    lines = [line.split("  #", 1)[0].strip() for line in blocks[0].splitlines()]
    wanted = ["docker compose up -d db"] if options.database in ("postgresql", "mysql") else []
    wanted.append(catalog.command(FW, "install", values))
    if options.database != "none":
        wanted.append(catalog.command(FW, "migrate", values))
    if options.admin:
        wanted.append("ADMIN_PASSWORD='choose-a-long-one' " + catalog.command(FW, "create_admin", values))
    wanted += [catalog.command(FW, "test", values), catalog.command(FW, "run", values)]
    assert lines == wanted

    production = readme.split("## Production", 1)[1].split("\n## ", 1)[0]
    listed = dict(re.findall(r"^([A-Z_]+)=(\S+)", production, flags=re.M))
    assert listed == dict(FW.production_env)

    example = (project / ".env.example").read_text()
    for variable, option in CONTRACT_ENV.items():
        documented = re.search(rf"^#? ?{variable}=", example, flags=re.M) is not None
        assert documented is _applies(option, options), variable
        assert (f"`{variable}`" in readme.split("## Environment variables", 1)[1]) is _applies(option, options)
    assert "DEBUG" not in example

    migrations = project / "src" / "main" / "resources" / "db"
    assert migrations.exists() is (options.database != "none")
    pom = (project / "pom.xml").read_text()
    assert ("sqlite" in pom) is (options.database != "none")
    if options.database in ("postgresql", "mysql"):
        assert "DB_PASSWORD=\n" in example
        port = {"postgresql": 5432, "mysql": 3306}[options.database]
        assert f"SPRING_DATASOURCE_URL=jdbc:{options.database}://127.0.0.1:{port}/shop\n" in example
        assert "SPRING_DATASOURCE_PASSWORD=${DB_PASSWORD}\n" in example


def test_dockerfile_installs_dependencies_before_copying_the_sources(tmp_path: Path) -> None:
    dockerfile = (_render(tmp_path, Options(docker=True)) / "Dockerfile").read_text()
    steps = [line for line in dockerfile.splitlines() if line.startswith(("COPY", "RUN"))]
    pom, offline, sources = (
        next(i for i, step in enumerate(steps) if needle in step)
        for needle in ("pom.xml", "dependency:go-offline", "COPY src/")
    )
    assert pom < offline < sources
    healthcheck = dockerfile.split("HEALTHCHECK", 1)[1].split("\n\n", 1)[0]
    assert "curl" not in healthcheck
    assert "wget" not in healthcheck
    assert '"-jar", "target/shop.jar", "healthcheck"' in healthcheck
