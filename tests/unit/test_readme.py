"""README promises: the quickstart commands and the option table match reality."""

from __future__ import annotations

import re
from pathlib import Path

from stackstart import catalog
from stackstart.errors import EXIT_CODES

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def test_ci_runs_the_readme_test_command() -> None:
    ci_lines = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")]
    test_command = ci_lines[-1]
    assert "pytest" in test_command
    assert f"\n{test_command}\n" in README


def test_quickstart_is_two_commands() -> None:
    quickstart = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)\n```", quickstart, flags=re.S)
    assert len(blocks) == 2
    assert all("\n" not in block for block in blocks)
    assert "stackstart new demo --framework flask" in blocks[0]
    assert "pytest" in blocks[1]
    assert blocks[0].split(" && ")[1] in (ROOT / ".ci" / "run").read_text()


def test_option_table_names_every_catalog_option_and_framework() -> None:
    for spec in catalog.OPTIONS:
        assert f"`--{spec.name}" in README, spec.name
        if spec.choices:
            assert " ".join(spec.choices) in README
    assert " ".join(f.key for f in catalog.FRAMEWORKS) in README


def test_commands_in_readme_are_the_catalog_commands() -> None:
    values = {"package": "PACKAGE", "name": "NAME", "email": "you@example.com"}
    for framework in catalog.FRAMEWORKS:
        if framework.available:
            for what in ("install", "migrate", "test", "lint", "run", "create_admin"):
                assert f"`{catalog.command(framework, what, values)}`" in README, (framework.key, what)


def test_exit_code_table_is_the_one_in_errors() -> None:
    table = README.split("Exit codes (`src/stackstart/errors.py`):", 1)[1].split("\n\n", 2)[1]
    codes = [int(m) for m in re.findall(r"^\| (\d+) \|", table, flags=re.M)]
    assert codes == sorted(EXIT_CODES)
