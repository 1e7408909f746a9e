"""Median wall time of `stackstart new` against a plain `copier copy` of the same template.

    python3 bench/new_vs_copier.py [--runs 5] [--json]

Both render the full Flask variant (sqlite, auth, admin, docker, no git) into
fresh temporary directories; each run is a separate process, as a user runs it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from stackstart import history

ANSWERS = {
    "project_name": "demo",
    "framework": "flask",
    "database": "sqlite",
    "auth": "true",
    "admin": "true",
    "docker": "true",
}


def stackstart_new(dest: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "stackstart",
        "new",
        "demo",
        "--framework",
        "flask",
        "--database",
        "sqlite",
        "--auth",
        "--admin",
        "--docker",
        "--no-git",
        "--output",
        str(dest),
    ]


def copier_copy(dest: Path) -> list[str]:
    # the same template stackstart renders: its history bundle, at this release's tag
    source = history.default_source()
    data = [arg for key, value in ANSWERS.items() for arg in ("-d", f"{key}={value}")]
    copier = shutil.which("copier") or "copier"
    return [copier, "copy", "--quiet", "--defaults", "--vcs-ref", source.ref, *data, source.path, str(dest / "demo")]


def measure(make: object, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as scratch:
            command = make(Path(scratch))  # type: ignore[operator]
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = {
        name: measure(make, args.runs)
        for name, make in (("stackstart new", stackstart_new), ("copier copy", copier_copy))
    }
    summary = {
        name: {"median_s": round(statistics.median(t), 3), "runs_s": [round(x, 3) for x in t]}
        for name, t in results.items()
    }
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    for name, row in summary.items():
        print(f"{name:<15} median {row['median_s']:.3f}s  runs {row['runs_s']}")


if __name__ == "__main__":
    main()
