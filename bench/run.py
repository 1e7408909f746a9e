"""Every performance figure of stackstart, side by side with its peer, measured in one run.

    PYTHONPATH=src python3 bench/run.py [--runs 7] [--json FILE] [--only NAME ...]

What is measured (each sample is one fresh process, as a user runs it):

- ``new``: `stackstart new` of the full Flask variant (sqlite, auth, admin,
  docker, ci github) with ``--no-git``, against a plain `copier copy` of the
  same template (the same history bundle, at the same tag, same answers).
- ``update``: `stackstart update` with no conflicts on a full Flask project
  (the template's v2 adds one file the user did not touch), against a plain
  `copier update --defaults` on an identical copy of the same project.
- ``cli``: `stackstart --help` and `stackstart list`.
- ``peers``: `stackstart new` of the full Django and Express variants with
  ``--no-git``, against the frameworks' own generators where they are on PATH:
  ``django-admin startproject`` and the Express generator (``express --no-view``).
  They write far less (a settings module; an app skeleton without database,
  auth, admin, Docker or CI), so their ratio says what stackstart's extra
  files cost, not which tool is faster at the same work. A peer not installed
  is left out, and said so.
- ``frameworks`` (only with ``--only frameworks``): `stackstart new` of the
  full variant of every shipped framework, git init and first commit included.

Peers run alternately (stackstart, peer, stackstart, peer…) so that the load
of a shared machine falls on both alike; each ratio compares medians taken in
the same run. Everything runs under a private HOME and cache in a temporary
directory: the first (untimed) run builds the template caches there, as a
user's first run does; the timed runs find them built.
Both tools are started the same way, ``python3 -m stackstart`` and
``python3 -m copier``, so a shim on PATH is not part of either figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
FULL_FLASK = ["--framework", "flask", "--database", "sqlite", "--auth", "--admin", "--docker", "--ci", "github"]
ANSWERS = {
    "project_name": "demo",
    "framework": "flask",
    "database": "sqlite",
    "auth": "true",
    "admin": "true",
    "docker": "true",
    "ci": "github",
}
IDENTITY = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@localhost",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@localhost",
}

# a prepared sample: returns the command to time and where to run it; after() checks its result
Prepare = Callable[[Path], tuple[list[str], Path]]


@dataclass
class Case:
    name: str
    prepare: Prepare
    env: dict[str, str]
    check: Callable[[subprocess.CompletedProcess[str], Path], None] = lambda done, work: None
    peer: str | None = None
    times: list[float] = field(default_factory=list)

    def sample(self, scratch: Path) -> None:
        with tempfile.TemporaryDirectory(dir=scratch) as folder:
            command, cwd = self.prepare(Path(folder))
            started = time.perf_counter()
            done = subprocess.run(command, cwd=cwd, env=self.env, capture_output=True, text=True, check=False)
            self.times.append(time.perf_counter() - started)
            if done.returncode != 0:
                sys.exit(f"{self.name}: {' '.join(command)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
            self.check(done, Path(folder))


def run(command: list[str], env: dict[str, str], cwd: Path | None = None) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"setup failed: {' '.join(command)}:\n{done.stdout}{done.stderr}")
    return done.stdout


def private_env(scratch: Path) -> dict[str, str]:
    home = scratch / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STACKSTART_", "XDG_", "GIT_"))}
    pythonpath = os.pathsep.join(p for p in [str(ROOT / "src"), env.get("PYTHONPATH", "")] if p)
    return {**env, **IDENTITY, "HOME": str(home), "PYTHONPATH": pythonpath, "GIT_CONFIG_NOSYSTEM": "1"}


def new_cases(scratch: Path, env: dict[str, str]) -> list[Case]:
    # the untimed first run builds the caches (cache bundle + machine-wide bundle) in the private HOME
    run([PY, "-m", "stackstart", "new", "warmup", *FULL_FLASK, "--no-git", "--output", str(scratch)], env)
    answers = (scratch / "warmup" / ".copier-answers.yml").read_text(encoding="utf-8")
    fields = dict(line.split(": ", 1) for line in answers.splitlines() if line.startswith(("_commit:", "_src_path:")))
    source, ref = fields["_src_path"].strip(), fields["_commit"].strip()

    def stackstart_new(folder: Path) -> tuple[list[str], Path]:
        return [PY, "-m", "stackstart", "new", "demo", *FULL_FLASK, "--no-git", "--output", str(folder)], folder

    def copier_copy(folder: Path) -> tuple[list[str], Path]:
        data = [arg for key, value in ANSWERS.items() for arg in ("-d", f"{key}={value}")]
        command = [PY, "-m", "copier", "copy", "--quiet", "--defaults", "--vcs-ref", ref, *data, source, "demo"]
        return command, folder

    def rendered(done: subprocess.CompletedProcess[str], folder: Path) -> None:
        if f"_commit: {ref}" not in (folder / "demo" / ".copier-answers.yml").read_text(encoding="utf-8"):
            sys.exit(f"no render of {ref} in {folder}")

    return [
        Case("new (full flask, --no-git)", stackstart_new, env, rendered, peer="copier copy"),
        Case("copier copy", copier_copy, env, rendered),
    ]


def update_cases(scratch: Path, env: dict[str, str]) -> list[Case]:
    """A template repository released as v1 and v2, and a full Flask project of v1 that the user edited."""
    repo = scratch / "template"
    repo.mkdir()
    shutil.copy2(ROOT / "copier.yml", repo / "copier.yml")
    shutil.copytree(ROOT / "templates", repo / "templates", ignore=shutil.ignore_patterns("__pycache__"))
    env = {**env, "STACKSTART_TEMPLATE_SOURCE": str(repo)}
    run(["git", "init", "-q", "-b", "main"], env, repo)
    run(["git", "add", "-A"], env, repo)
    run(["git", "commit", "-qm", "v1"], env, repo)
    run(["git", "tag", "v1"], env, repo)
    run([PY, "-m", "stackstart", "new", "shop", *FULL_FLASK, "--output", str(scratch)], env)
    pristine = scratch / "shop"
    (pristine / "NOTES.md").write_text("ours\n")
    run(["git", "add", "-A"], env, pristine)
    run(["git", "commit", "-qm", "our notes"], env, pristine)
    (repo / "templates" / "flask" / "CHANGELOG.md").write_text("# Changes\n")
    run(["git", "add", "-A"], env, repo)
    run(["git", "commit", "-qm", "v2"], env, repo)
    run(["git", "tag", "v2"], env, repo)

    def copy_of_project(folder: Path) -> Path:
        project = folder / "shop"
        shutil.copytree(pristine, project, symlinks=True)
        return project

    def stackstart_update(folder: Path) -> tuple[list[str], Path]:
        project = copy_of_project(folder)
        return [PY, "-m", "stackstart", "update", str(project), "--json"], folder

    def copier_update(folder: Path) -> tuple[list[str], Path]:
        project = copy_of_project(folder)
        return [PY, "-m", "copier", "update", "--quiet", "--defaults", "--skip-tasks"], project

    def updated(done: subprocess.CompletedProcess[str], folder: Path) -> None:
        project = folder / "shop"
        if not (project / "CHANGELOG.md").is_file() or "_commit: v2" not in (project / ".copier-answers.yml").read_text(
            encoding="utf-8"
        ):
            sys.exit(f"update did not reach v2:\n{done.stdout}{done.stderr}")
        if "<<<<<<<" in (project / "NOTES.md").read_text(encoding="utf-8"):
            sys.exit("unexpected conflict")

    return [
        Case("update (full flask, no conflicts)", stackstart_update, env, updated, peer="copier update --defaults"),
        Case("copier update --defaults", copier_update, env, updated),
    ]


def cli_cases(scratch: Path, env: dict[str, str]) -> list[Case]:
    return [
        Case("stackstart --help", lambda folder: ([PY, "-m", "stackstart", "--help"], folder), env),
        Case("stackstart list", lambda folder: ([PY, "-m", "stackstart", "list"], folder), env),
    ]


def peer_cases(scratch: Path, env: dict[str, str]) -> list[Case]:
    """The full Django and Express variants against django-admin and the Express generator, where installed."""
    run([PY, "-m", "stackstart", "new", "warmup", *FULL_FLASK, "--no-git", "--output", str(scratch)], env)
    full = ["--auth", "--admin", "--docker", "--ci", "github", "--no-git"]
    peers = {
        "django": ("django-admin startproject", ["django-admin", "startproject", "demo"]),
        "express": ("express-generator", ["express", "--no-view", "demo"]),
    }
    cases: list[Case] = []
    for key, (peer, command) in peers.items():
        program = shutil.which(command[0], path=env.get("PATH"))
        if program is None:
            print(f"peers: {command[0]} is not on PATH; {peer} left out", file=sys.stderr)
            continue

        def ours(folder: Path, key: str = key) -> tuple[list[str], Path]:
            return [PY, "-m", "stackstart", "new", "demo", "-f", key, "--database", "sqlite", *full], folder

        def theirs(folder: Path, command: tuple[str, ...] = (program, *command[1:])) -> tuple[list[str], Path]:
            return list(command), folder

        def made(done: subprocess.CompletedProcess[str], folder: Path) -> None:
            if not (folder / "demo").is_dir():
                sys.exit(f"no project in {folder}:\n{done.stdout}{done.stderr}")

        cases += [Case(f"new {key} (full, --no-git)", ours, env, made, peer=peer), Case(peer, theirs, env, made)]
    return cases


def framework_cases(scratch: Path, env: dict[str, str]) -> list[Case]:
    """`stackstart new` of the full variant of every shipped framework, with git init and first commit."""
    sys.path.insert(0, str(ROOT / "src"))
    from stackstart import catalog

    run([PY, "-m", "stackstart", "new", "warmup", "-f", "flask", "--defaults", "--output", str(scratch)], env)

    def make(key: str) -> Prepare:
        full = ["--auth", "--admin", "--docker", "--ci", "github"]
        return lambda folder: ([PY, "-m", "stackstart", "new", "demo", "-f", key, *full], folder)

    return [Case(f"new {f.key} (full, git)", make(f.key), env) for f in catalog.FRAMEWORKS if f.available]


GROUPS = {
    "new": new_cases,
    "update": update_cases,
    "cli": cli_cases,
    "peers": peer_cases,
    "frameworks": framework_cases,
}
DEFAULT_GROUPS = ["new", "update", "cli", "peers"]
GROUPS_HELP = f"measure these groups (default: {' '.join(DEFAULT_GROUPS)})"


def summary(cases: list[Case]) -> list[dict[str, object]]:
    medians = {case.name: statistics.median(case.times) for case in cases}
    rows: list[dict[str, object]] = []
    for case in cases:
        ratio = round(medians[case.name] / medians[case.peer], 2) if case.peer in medians else None
        rows.append(
            {
                "name": case.name,
                "median_s": round(medians[case.name], 3),
                "min_s": round(min(case.times), 3),
                "max_s": round(max(case.times), 3),
                "runs_s": [round(t, 3) for t in case.times],
                "peer": case.peer,
                "ratio_to_peer": ratio,
            }
        )
    return rows


def cpu_speed() -> float:
    """Seconds a fixed pure-Python loop takes (median of 3): the speed the machine gave this run.

    A virtual machine shares its host: the same commit measured hours apart can differ by
    half when the host is busy, whatever the load average inside says. Compare runs whose
    figures here are alike; the ratios to peers hold either way.
    """
    samples = []
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for number in range(3_000_000):
            total += number
        samples.append(time.perf_counter() - started)
    return round(statistics.median(samples), 3)


def conditions(runs: int, load_before: tuple[float, ...], speed_before: float) -> dict[str, object]:
    from importlib.metadata import version

    git_version = subprocess.run(["git", "--version"], capture_output=True, text=True, check=False)
    return {
        "date_utc": time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime()),
        "runs": runs,
        "cpus": os.cpu_count(),
        "load_before": load_before,
        "load_after": tuple(round(x, 2) for x in os.getloadavg()),
        "cpu_loop_s": (speed_before, cpu_speed()),
        "python": platform.python_version(),
        "copier": f"copier {version('copier')}",
        "git": git_version.stdout.strip(),
        "commit": subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        ).stdout.strip(),
    }


def table(rows: list[dict[str, object]], info: dict[str, object]) -> str:
    lines = [
        f"{info['runs']} runs each, {info['cpus']} CPUs, load {info['load_before']} -> {info['load_after']}, "
        f"CPU loop {info['cpu_loop_s'][0]:.3f}s -> {info['cpu_loop_s'][1]:.3f}s, "
        f"Python {info['python']}, {info['copier']}, {info['git']}, commit {info['commit']}",
        f"{'measurement':<36} {'median':>8} {'min':>8} {'max':>8}  ratio to peer",
    ]
    for row in rows:
        ratio = f"{row['ratio_to_peer']:.2f}x {row['peer']}" if row["ratio_to_peer"] is not None else ""
        lines.append(f"{row['name']:<36} {row['median_s']:>7.3f}s {row['min_s']:>7.3f}s {row['max_s']:>7.3f}s  {ratio}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="samples of each measurement (default 7)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON to FILE")
    parser.add_argument(
        "--only", nargs="+", choices=sorted(GROUPS), help=f"measure these groups (default: {' '.join(DEFAULT_GROUPS)})"
    )
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    load_before = tuple(round(x, 2) for x in os.getloadavg())
    speed_before = cpu_speed()
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="stackstart-bench-") as folder:
        scratch = Path(folder)
        for group in args.only or DEFAULT_GROUPS:
            base = scratch / group
            base.mkdir()
            cases = GROUPS[group](base, private_env(base))
            for _ in range(args.runs):  # alternate: each peer sees the same load as its stackstart figure
                for case in cases:
                    case.sample(base)
            rows += summary(cases)
    info = conditions(args.runs, load_before, speed_before)
    print(table(rows, info))
    if args.json:
        args.json.write_text(json.dumps({"conditions": info, "results": rows}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
