"""stackstart's own GitHub workflows: actionlint-clean, and the verify matrix is `verify --list-matrix`."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from stackstart import catalog, matrix

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"


def load(name: str) -> dict[str, object]:
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    assert isinstance(document, dict)
    return document


def test_workflows_pass_actionlint() -> None:
    actionlint = shutil.which("actionlint")
    if actionlint is None:
        pytest.fail("actionlint is not installed (see .ci/run)")
    files = sorted(str(path) for path in WORKFLOWS.glob("*.yml"))
    assert [Path(f).name for f in files] == ["ci.yml", "verify.yml"]
    done = subprocess.run([actionlint, "-no-color", *files], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_verify_matrix_is_list_matrix() -> None:
    jobs = load("verify.yml")["jobs"]
    assert isinstance(jobs, dict)
    listing = jobs["matrix"]
    step = next(s for s in listing["steps"] if s.get("id") == "list")
    assert re.search(r"stackstart verify --list-matrix --json \| jq -c \.result\)", step["run"])  # its result
    assert listing["outputs"]["matrix"] == "${{ steps.list.outputs.matrix }}"
    verify = jobs["verify"]
    assert verify["needs"] == "matrix"
    assert verify["strategy"]["matrix"] == "${{ fromJSON(needs.matrix.outputs.matrix) }}"
    # every key the jobs read from a row is a key of --list-matrix's rows
    rows = matrix.ci_matrix()["include"]
    assert isinstance(rows, list)
    used = set(re.findall(r"(?<![.\w])matrix\.(\w+)", json.dumps(verify)))
    assert used <= set(rows[0]), used - set(rows[0])
    run = next(s["run"] for s in verify["steps"] if s.get("name") == "stackstart verify")
    assert '--framework "$FRAMEWORK" --variant "$VARIANTS" --database "$DATABASE"' in run
    assert "--junit" in run
    assert {"postgres", "mysql"} <= set(verify["services"])
    document = load("verify.yml")
    triggers = document.get(True) or document.get("on")  # YAML 1.1 reads the key `on` as true
    assert isinstance(triggers, dict)
    assert "schedule" in triggers


def test_each_toolchain_of_a_shipped_framework_has_its_setup_action() -> None:
    steps = load("verify.yml")["jobs"]["verify"]["steps"]  # type: ignore[index]
    uses = {s["uses"].split("@")[0]: s.get("if", "") for s in steps if "uses" in s}
    setup = {"python": "actions/setup-python", "node": "actions/setup-node", "java": "actions/setup-java"}
    for framework in catalog.FRAMEWORKS:
        if framework.available:
            for tool in framework.toolchain:
                if tool in setup:
                    assert setup[tool] in uses, (framework.key, tool)
    assert "actions/upload-artifact" in uses


def test_ci_runs_the_fast_tiers_on_each_python() -> None:
    jobs = load("ci.yml")["jobs"]
    assert jobs["test"]["strategy"]["matrix"]["python"] == ["3.11", "3.12", "3.13"]  # type: ignore[index]
    runs = " ".join(s.get("run", "") for s in jobs["test"]["steps"])  # type: ignore[index]
    assert 'pytest -m "not build and not contract"' in runs
    lint = " ".join(s.get("run", "") for s in jobs["lint"]["steps"])  # type: ignore[index]
    assert "ruff check" in lint
    assert "mypy" in lint
