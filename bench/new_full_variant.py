"""Median wall time of `stackstart new` for the full variant of every shipped framework.

    python3 bench/new_full_variant.py [--runs 5] [--json]

Full variant: sqlite, auth, admin, docker, ci github, with git init + first
commit (the default), each run a fresh process into a fresh directory.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time

from stackstart import catalog


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    summary = {}
    for framework in (f.key for f in catalog.FRAMEWORKS if f.available):
        times = []
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as scratch:
                command = [
                    sys.executable,
                    "-m",
                    "stackstart",
                    "new",
                    "demo",
                    "-f",
                    framework,
                    "--auth",
                    "--admin",
                    "--docker",
                    "--ci",
                    "github",
                    "--output",
                    scratch,
                ]
                started = time.perf_counter()
                subprocess.run(command, check=True, capture_output=True)
                times.append(time.perf_counter() - started)
        summary[framework] = {"median_s": round(statistics.median(times), 3), "runs_s": [round(t, 3) for t in times]}
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    for framework, row in summary.items():
        print(f"{framework:<11} median {row['median_s']:.3f}s  runs {row['runs_s']}")


if __name__ == "__main__":
    main()
