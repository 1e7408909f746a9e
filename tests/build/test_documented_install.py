"""The install command the README and `stackstart list` print for Python outputs runs, with pip, as a user runs it.

`verify` (and so the build and contract tiers) installs with uv whenever uv is
on PATH, and uv comes with the test extra: without this test the documented
`python3 -m venv .venv && .venv/bin/python -m pip install -e '.[dev]'` would
never run. Here it runs verbatim, in the full variant on SQLite, with a PATH
that has no uv and no active virtualenv, then the documented test command.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from stackstart import catalog, verify
from tests.helpers import available_frameworks, describe, need_tools, quick_start_lines

pytestmark = pytest.mark.build

PYTHON_FRAMEWORKS = [fw for fw in available_frameworks() if catalog.get(fw).language == "python"]
_STEP_TIMEOUT = 1200


def user_environment(tmp_path: Path) -> dict[str, str]:
    """os.environ as a user without uv has it: no uv on PATH, no virtualenv, no PYTHONPATH of the test run."""
    dirs = [d for d in os.environ.get("PATH", "").split(os.pathsep) if d and not (Path(d) / "uv").exists()]
    if shutil.which("python3", path=os.pathsep.join(dirs)) is None:
        # python3 lived only beside uv (a virtualenv): the same interpreter, alone in a folder
        alone = tmp_path / "python-only"
        alone.mkdir()
        (alone / "python3").symlink_to(Path(sys.executable).resolve())
        dirs.insert(0, str(alone))
    leave_out = {"VIRTUAL_ENV", "PYTHONHOME", "PYTHONPATH", "CONDA_PREFIX"}
    env = {k: v for k, v in os.environ.items() if k not in leave_out and not k.startswith("UV_")}
    env["PATH"] = os.pathsep.join(dirs)
    return env


def run(command: str, project: Path, env: dict[str, str], log: Path) -> subprocess.CompletedProcess[str]:
    """``command`` through sh in ``project``, as verify and a terminal run it; output kept in ``log``."""
    done = subprocess.run(
        ["sh", "-c", command],
        cwd=project,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=_STEP_TIMEOUT,
        check=False,
    )
    log.write_text(done.stdout + done.stderr)
    return done


@pytest.mark.parametrize("framework", PYTHON_FRAMEWORKS)
def test_documented_pip_install_then_tests_pass(tmp_path: Path, framework: str) -> None:
    need_tools(framework)
    fw = catalog.get(framework)
    report = verify.verify(framework=fw, variant="full", workdir=tmp_path, until="render")
    assert report.passed, describe(report)
    project = report.project
    assert report.options.database == "sqlite"

    lines = quick_start_lines((project / "README.md").read_text())
    install = catalog.command(fw, "install", {})
    test = catalog.command(fw, "test", {})
    assert install in lines, "the README's quick start shows the catalog's install command"
    assert test in lines, "the README's quick start shows the catalog's test command"
    assert lines.index(install) < lines.index(test)
    assert "pip install" in install
    assert "uv" not in install.split()

    env = user_environment(tmp_path)
    assert shutil.which("uv", path=env["PATH"]) is None, "uv is still on PATH"

    done = run(install, project, env, tmp_path / "install.log")
    assert done.returncode == 0, f"{install}\n{(done.stdout + done.stderr)[-6000:]}"
    # the virtualenv is the standard library's (uv writes its version into pyvenv.cfg), and pip put the project in
    config = (project / ".venv" / "pyvenv.cfg").read_text()
    assert "uv" not in config, config
    assert (project / ".venv" / "bin" / "pip").exists()
    listed = run(".venv/bin/python -m pip list --editable", project, env, tmp_path / "pip-list.log")
    assert listed.returncode == 0, listed.stderr
    assert report.project.name.replace("-", "_") in listed.stdout.replace("-", "_"), listed.stdout

    done = run(test, project, env, tmp_path / "test.log")
    assert done.returncode == 0, f"{test}\n{(done.stdout + done.stderr)[-6000:]}"
    assert " passed" in done.stdout, done.stdout[-2000:]
