"""Median wall time of `stackstart update` with no conflicts, on the full Flask variant.

    python3 bench/update_full_flask.py [--runs 5] [--json]

A throwaway git repository of the real template root is released as v1; a
full-variant project (sqlite, auth, admin, docker, ci) is generated from it
and edited by "the user"; v2 changes a template file the user did not touch.
Each run resets the project to its v1 state and times one `stackstart update`
process, as a user runs it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stackstart-bench-") as scratch:
        work = Path(scratch)
        repo = work / "template"
        repo.mkdir()
        shutil.copy2(ROOT / "copier.yml", repo / "copier.yml")
        shutil.copytree(ROOT / "templates", repo / "templates", ignore=shutil.ignore_patterns("__pycache__"))
        env = {
            **os.environ,
            "STACKSTART_TEMPLATE_SOURCE": str(repo),
            "GIT_AUTHOR_NAME": "bench",
            "GIT_AUTHOR_EMAIL": "bench@localhost",
            "GIT_COMMITTER_NAME": "bench",
            "GIT_COMMITTER_EMAIL": "bench@localhost",
        }
        git(repo, "init", "-q", "-b", "main")
        git(repo, "add", "-A")
        subprocess.run(["git", "commit", "-qm", "v1"], cwd=repo, check=True, env=env)
        git(repo, "tag", "v1")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "stackstart",
                "new",
                "shop",
                "-f",
                "flask",
                "--auth",
                "--admin",
                "--docker",
                "--ci",
                "github",
                "--output",
                str(work),
            ],
            check=True,
            env=env,
            capture_output=True,
        )
        project = work / "shop"
        (project / "NOTES.md").write_text("ours\n")
        git(project, "add", "-A")
        subprocess.run(["git", "commit", "-qm", "our notes"], cwd=project, check=True, env=env)
        (repo / "templates" / "flask" / "CHANGELOG.md").write_text("# Changes\n")
        git(repo, "add", "-A")
        subprocess.run(["git", "commit", "-qm", "v2"], cwd=repo, check=True, env=env)
        git(repo, "tag", "v2")
        times = []
        for _ in range(args.runs):
            git(project, "reset", "-q", "--hard")
            git(project, "clean", "-qfd")
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "stackstart", "update", str(project), "--json"],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            times.append(time.perf_counter() - started)
            report = json.loads(done.stdout)
            if done.returncode != 0 or report["conflicted"] or report["added"] != ["CHANGELOG.md"]:
                sys.exit(f"unexpected update result: {done.stdout}{done.stderr}")
    summary = {"median_s": round(statistics.median(times), 3), "runs_s": [round(t, 3) for t in times]}
    print(
        json.dumps(summary, indent=2)
        if args.json
        else f"stackstart update (full flask, no conflicts): median {summary['median_s']:.3f}s  {summary['runs_s']}"
    )


if __name__ == "__main__":
    main()
