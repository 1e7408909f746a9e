"""The output's README and CI workflow use exactly the catalog's commands.

What CI proves must be what the README tells a user to run. The README's
`## Quick start` holds the catalog's install, migrate, create-admin, test and
run commands verbatim (the build tier runs them).

The catalog writes commands as typed in a checkout (`.venv/bin/pytest`); a
workflow runs them in the runner's own Python from actions/setup-python, so the
`.venv/bin/` prefix is the one difference allowed. Every `&&` part of the
catalog's lint and test commands must be a `run:` step (or a part of one).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from stackstart import catalog, generate, naming
from stackstart.catalog import Options
from tests.helpers import available_frameworks, quick_start_lines

pytestmark = pytest.mark.render


def run_parts(workflow: dict[str, object]) -> set[str]:
    parts: set[str] = set()
    for job in workflow["jobs"].values():  # type: ignore[attr-defined]
        for step in job.get("steps", []):
            for line in str(step.get("run", "")).splitlines():
                parts.update(part.strip() for part in line.split("&&") if part.strip())
    return parts


def render_full(tmp_path: Path, fw: catalog.Framework) -> Path:
    """The full variant (every option on, on PostgreSQL), rendered as `new` writes it."""
    options = Options(database="postgresql", auth=True, admin=True, docker=True, ci="github")
    project = tmp_path / "shop"
    generate.create(generate.NewRequest("shop", fw, options, project, git=False))
    return project


@pytest.mark.parametrize("framework", available_frameworks())
def test_ci_workflow_runs_the_catalog_lint_and_test_commands(tmp_path: Path, framework: str) -> None:
    fw = catalog.get(framework)
    project = render_full(tmp_path, fw)
    (workflow_file,) = (project / ".github" / "workflows").glob("*.yml")
    parts = run_parts(yaml.safe_load(workflow_file.read_text()))
    values = naming.identifiers("shop").as_dict()
    for which in ("lint", "test"):
        for part in catalog.command(fw, which, values).split("&&"):
            expected = part.strip().removeprefix(".venv/bin/")
            assert expected in parts, f"{which}: {expected!r} is not run by {workflow_file.name}: {sorted(parts)}"


@pytest.mark.parametrize("framework", available_frameworks())
def test_readme_quick_start_holds_the_catalog_commands(tmp_path: Path, framework: str) -> None:
    fw = catalog.get(framework)
    project = render_full(tmp_path, fw)
    lines = quick_start_lines((project / "README.md").read_text())
    values = naming.identifiers("shop").as_dict()
    for which in ("install", "migrate", "test", "run"):
        assert catalog.command(fw, which, values) in lines, which
    admin = re.escape(catalog.command(fw, "create_admin", values | {"email": "EMAIL"})).replace("EMAIL", r"\S+@\S+")
    (at,) = [i for i, line in enumerate(lines) if re.fullmatch(r"(ADMIN_PASSWORD=('[^']*'|\S+) )?" + admin, line)]
    assert any("ADMIN_PASSWORD=" in line for line in lines[: at + 1]), "create-admin reads $ADMIN_PASSWORD"
    order = [lines.index(catalog.command(fw, w, values)) for w in ("install", "migrate", "test", "run")]
    assert order == sorted(order), "install, migrate, test, run: in the order a user runs them"
