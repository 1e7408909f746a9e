"""Render tier: every available framework x every valid option combination."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from stackstart import catalog, generate
from stackstart.catalog import Options
from tests.helpers import available_frameworks, need_linters, variant_id
from tests.render.checks import leftover_jinja, parse_errors, run_linter

pytestmark = pytest.mark.render

MATRIX = [(fw, options) for fw in available_frameworks() for options in catalog.combinations()]


def render(tmp_path: Path, framework: str, options: Options, name: str = "shop") -> Path:
    destination = tmp_path / name
    request = generate.NewRequest(name, catalog.get(framework), options, destination, git=False)
    generate.create(request)
    return destination


@pytest.mark.parametrize(("framework", "options"), MATRIX, ids=[variant_id(f, o) for f, o in MATRIX])
def test_combination_renders_and_parses(tmp_path: Path, framework: str, options: Options) -> None:
    need_linters(*(["hadolint"] if options.docker else []), *(["actionlint"] if options.ci == "github" else []))
    fw = catalog.get(framework)
    project = render(tmp_path, framework, options)

    assert leftover_jinja(project, fw) == []
    parsed, errors = parse_errors(project)
    assert errors == []
    assert parsed >= 3

    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["framework"] == framework
    assert answers["project_name"] == "shop"
    assert answers["database"] == options.database
    assert answers["docker"] is options.docker

    env = (project / ".env").read_text()
    for secret in fw.secrets:
        value = next(line.split("=", 1)[1] for line in env.splitlines() if line.startswith(f"{secret}="))
        assert len(value) >= 32, secret
    assert ".env" in (project / ".gitignore").read_text().split()

    # an option is files: present exactly when the option is on
    assert (project / "Dockerfile").exists() is options.docker
    assert (project / "compose.yaml").exists() is options.docker
    assert (project / ".dockerignore").exists() is options.docker
    assert (project / ".github" / "workflows").exists() is (options.ci == "github")
    assert (project / "README.md").is_file()
    assert (project / ".env.example").is_file()
    assert (project / ".editorconfig").is_file()

    if options.docker:
        compose = yaml.safe_load((project / "compose.yaml").read_text())
        services = compose["services"]
        wanted_db = {"postgresql": "postgres", "mysql": "mysql"}.get(options.database)
        if wanted_db:
            assert any(wanted_db in str(svc.get("image", "")) for svc in services.values()), services
        assert "version" not in compose
        assert run_linter(["hadolint", "--no-color", "Dockerfile"], project) is None
    if options.ci == "github":
        workflows = sorted((project / ".github" / "workflows").glob("*.yml"))
        assert workflows
        assert run_linter(["actionlint", "-no-color", *map(str, workflows)], project) is None
        if options.docker and options.database in ("postgresql", "mysql"):
            # CI tests against the very database image that compose runs (templates/_shared/images.jinja)
            job = yaml.safe_load((project / ".github" / "workflows" / "ci.yml").read_text())["jobs"]["test"]
            ci_images = [service["image"] for service in job["services"].values()]
            assert ci_images == [services["db"]["image"]], (ci_images, services["db"])


@pytest.mark.parametrize("framework", available_frameworks())
def test_two_renders_get_different_secrets(tmp_path: Path, framework: str) -> None:
    first = render(tmp_path, framework, Options(), "one")
    second = render(tmp_path, framework, Options(), "two")
    assert (first / ".env").read_text() != (second / ".env").read_text()
    assert (first / ".env.example").read_text() == (second / ".env.example").read_text().replace("two", "one")


@pytest.mark.parametrize("framework", available_frameworks())
def test_git_commit_has_everything_but_the_env_file(tmp_path: Path, framework: str) -> None:
    import subprocess

    destination = tmp_path / "shop"
    generate.create(generate.NewRequest("shop", catalog.get(framework), Options(docker=True), destination))
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=destination, capture_output=True, text=True, check=True
    ).stdout.split()
    status = subprocess.run(
        ["git", "status", "--porcelain", "--ignored"], cwd=destination, capture_output=True, text=True, check=True
    ).stdout
    assert ".env" not in tracked
    assert "Dockerfile" in tracked
    assert status.strip() == "!! .env"
