"""The templates ship inside the wheel: build it, install it in a fresh venv, generate from it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from stackstart import __version__

pytestmark = pytest.mark.build

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_wheel_carries_the_templates_and_generates_a_project(tmp_path: Path) -> None:
    source = tmp_path / "source"  # build from a copy so no build artefacts land in the checkout
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".git", ".venv", "*.egg-info", "__pycache__", "dist"))
    run(sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", tmp_path / "dist", source)
    wheel = next((tmp_path / "dist").glob("stackstart-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "stackstart/_template/copier.yml" in names
    assert "stackstart/_template/templates.bundle" in names  # the template history, for update
    assert any(n.startswith("stackstart/_template/templates/flask/") for n in names)
    assert "stackstart/cli.py" in names

    venv = tmp_path / "venv"
    if shutil.which("uv"):  # quicker; the same wheel and the same dependency resolution either way
        run("uv", "venv", "-q", "--python", sys.executable, venv)
        run("uv", "pip", "install", "-q", "--python", venv / "bin" / "python", wheel)
    else:
        run(sys.executable, "-m", "venv", venv)
        run(venv / "bin" / "python", "-m", "pip", "install", "-q", wheel)
    work = Path.cwd()  # the isolated working directory of this test
    run(
        venv / "bin" / "stackstart", "new", "demo", "--framework", "flask", "--auth", "--no-git", "--defaults", cwd=work
    )
    answers = yaml.safe_load((work / "demo" / ".copier-answers.yml").read_text())
    assert answers["auth"] is True
    assert answers["_src_path"] == "~/.local/share/stackstart/templates.bundle"
    assert answers["_commit"] == "v" + __version__
    assert (work / "demo" / "demo" / "__init__.py").is_file()
    # the project was rendered from the wheel's own history, which now sits in the machine-wide bundle
    tags = run("git", "ls-remote", "--tags", Path.home() / ".local/share/stackstart/templates.bundle")
    assert f"refs/tags/v{__version__}" in tags
