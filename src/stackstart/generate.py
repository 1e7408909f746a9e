"""`stackstart new`: validate → render into a temp dir → write secrets → git → rename.

A render never leaves a half-written project behind: everything happens in a
hidden directory beside the destination, which is renamed into place only when
it is complete, and removed on any failure or interrupt.
"""

from __future__ import annotations

import base64
import difflib
import os
import secrets
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stackstart import __version__, catalog, history, naming
from stackstart.catalog import Framework, Options
from stackstart.errors import StackstartError, ToolError, UsageError

__all__ = [
    "NewRequest",
    "NewResult",
    "Step",
    "check_available",
    "check_destination",
    "check_name",
    "create",
    "find_framework",
    "next_steps",
    "prepare",
    "read_answers",
    "render",
]


@dataclass(frozen=True)
class NewRequest:
    """Everything `new` needs, already validated by :func:`prepare`."""

    name: str
    framework: Framework
    options: Options
    destination: Path
    git: bool = True
    notes: tuple[str, ...] = ()
    source: history.TemplateSource | None = None  # None: this installation's template history
    java_package: str | None = None  # Spring Boot only; None: derived from the name

    @property
    def copier_extra(self) -> dict[str, object]:
        """Answers beyond the shared options (today: Spring Boot's base package)."""
        return {"java_package": self.java_package} if self.java_package else {}

    @property
    def identifiers(self) -> naming.Identifiers:
        """Per-language identifiers derived from the name."""
        return naming.identifiers(self.name, self.java_package)


@dataclass(frozen=True)
class Step:
    """One "next steps" command, as typed inside the new project."""

    what: str
    command: str


@dataclass
class NewResult:
    """What `new` did (or, with ``dry_run``, would do)."""

    request: NewRequest
    files: list[str]
    next_steps: list[Step]
    dry_run: bool = False
    committed: bool = False
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        """The ``--json`` document."""
        req = self.request
        return {
            "project": req.name,
            "framework": req.framework.key,
            "options": req.options.as_data(),
            "destination": str(req.destination),
            "dry_run": self.dry_run,
            "git": req.git,
            "committed": self.committed,
            "files": self.files,
            "next_steps": [{"what": s.what, "command": s.command} for s in self.next_steps],
            "notes": self.notes,
            "stackstart_version": __version__,
        }


def find_framework(name: str) -> Framework:
    """The framework called ``name`` (or an alias), or a one-line error with the choices."""
    framework = catalog.lookup(name)
    if framework is not None:
        return framework
    close = difflib.get_close_matches(name.lower(), catalog.all_names(), n=1)
    hint = f'did you mean "{close[0]}"? ' if close else ""
    choices = ", ".join(f.key for f in catalog.FRAMEWORKS)
    raise UsageError(f'unknown framework "{name}" ({hint}choose from {choices})')


def check_available(framework: Framework) -> None:
    """Refuse a framework whose template this release does not ship."""
    if not framework.available:
        available = ", ".join(f.key for f in catalog.FRAMEWORKS if f.available) or "none"
        raise UsageError(
            f"the {framework.title} template is not available in stackstart {__version__} yet "
            f"(available now: {available})"
        )


def check_name(name: str, framework: Framework) -> None:
    """Refuse a project name that is invalid for ``framework``."""
    naming.check_project_name(name, framework)


def prepare(
    name: str,
    framework: Framework,
    given: Mapping[str, object | None],
    output: Path | None,
    git: bool,
    java_package: str | None = None,
) -> NewRequest:
    """Validate everything `new` was given; raise :class:`UsageError` before anything is written."""
    check_available(framework)
    check_name(name, framework)
    if java_package is not None:
        if framework.language != "java":
            raise UsageError(f"--package applies to Spring Boot only, not {framework.title} (drop it)")
        naming.check_java_package(java_package)
    options, notes = catalog.resolve_options(given)
    if git and shutil.which("git") is None:
        raise UsageError("git is not installed (install it, or pass --no-git)")
    destination = ((output or Path.cwd()) / name).absolute()
    check_destination(destination)
    return NewRequest(name, framework, options, destination, git=git, notes=tuple(notes), java_package=java_package)


ANSWERS_FILE = ".copier-answers.yml"


def read_answers(
    project: Path, text: str | None = None, require: tuple[str, ...] = ("project_name", "framework")
) -> tuple[dict[str, Any], Options]:
    """The answers file of a generated project (or ``text`` of an older version of it), and its options.

    Anything that is not a usable answers file is a one-line :class:`UsageError`.
    """
    import yaml  # copier's own dependency

    where = project / ANSWERS_FILE
    problem = f"{where} is not a valid stackstart answers file: it"
    try:
        answers = yaml.safe_load(text if text is not None else where.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        raise UsageError(f"{problem} is not valid YAML{line} (restore it with git checkout)") from error
    if not isinstance(answers, dict):
        raise UsageError(f"{problem} holds no answers (restore it with git checkout)")
    missing = [key for key in require if not answers.get(key)]
    if missing:
        raise UsageError(f"{problem} lacks {', '.join(missing)} (restore it with git checkout)")
    if catalog.lookup(str(answers["framework"])) is None:
        raise UsageError(
            f"{problem} names an unknown framework {answers['framework']!r} (restore it with git checkout)"
        )
    try:
        options, _ = catalog.resolve_options({spec.name: answers.get(spec.name) for spec in catalog.OPTIONS})
    except UsageError as error:
        raise UsageError(f"{problem} has a bad option: {error} (restore it with git checkout)") from error
    return answers, options


def check_destination(destination: Path) -> None:
    """Refuse a destination that exists and is not an empty directory."""
    if destination.is_symlink() or (destination.exists() and not destination.is_dir()):
        raise UsageError(f"destination {destination} already exists and is not a directory (choose another name)")
    if destination.is_dir() and any(destination.iterdir()):
        raise UsageError(
            f"destination {destination} already exists and is not empty "
            "(choose another name or --output directory, or empty it first)"
        )


def render(
    name: str,
    framework: Framework,
    options: Options,
    target: Path,
    source: history.TemplateSource | None = None,
    extra: Mapping[str, object] | None = None,
) -> None:
    """Render the Copier template into ``target`` (which must not exist or be empty).

    The template comes from the history store at this release's tag, so the
    answers record ``_commit: v<version>`` and `stackstart update` can find it.
    """
    check_available(framework)
    source = source or history.default_source()
    data: dict[str, object] = {"project_name": name, "framework": framework.key, **options.as_data(), **(extra or {})}
    copier_render(source.path, source.ref, data, target)


def copier_render(source: str, ref: str, data: Mapping[str, object], target: Path) -> None:
    """`copier copy` of ``source`` at ``ref`` with ``data``: no prompts, no tasks, one error type."""
    import copier  # lazily: keeps `--help`, `list` and `doctor` fast

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. copier's DirtyLocalWarning in a source checkout
            copier.run_copy(
                source,
                target,
                data=dict(data),
                defaults=True,
                overwrite=True,
                quiet=True,
                unsafe=False,
                skip_tasks=True,
                vcs_ref=ref,
                cleanup_on_error=False,
            )
    except StackstartError:
        raise
    except Exception as error:  # copier's own errors are many and not all share a base class
        raise ToolError(f"copier failed to render {data.get('framework', 'the')} template at {ref}: {error}") from error


def _new_secret(kind: str) -> str:
    if kind == "hex":
        return secrets.token_hex(64)
    if kind == "password":  # 192 bits; hex needs no quoting in URLs, JDBC or shell
        return secrets.token_hex(24)
    if kind == "laravel":
        return "base64:" + base64.b64encode(secrets.token_bytes(32)).decode()
    return secrets.token_urlsafe(48)


def write_env(project: Path, wanted: Mapping[str, str]) -> None:
    """Write the git-ignored ``.env`` from ``.env.example`` with fresh secrets filled in.

    A key of ``wanted`` (the framework's secrets) or of :data:`catalog.SHARED_SECRETS`
    whose line in ``.env.example`` is empty (``KEY=``) gets a fresh random value;
    ``${KEY}`` in any other value is replaced by that value, so one generated
    password can appear in both ``DB_PASSWORD`` and ``DATABASE_URL``. The
    framework's secrets missing from the example are appended.
    """
    example = project / ".env.example"
    if not wanted and not example.is_file():
        return
    lines = example.read_text(encoding="utf-8").splitlines() if example.is_file() else []
    kinds = {**catalog.SHARED_SECRETS, **wanted}
    filled: dict[str, str] = {}
    for index, line in enumerate(lines):
        key, sep, value = line.partition("=")
        key = key.strip()
        if sep and key in kinds and key not in filled and not value.strip():
            filled[key] = _new_secret(kinds[key])
            lines[index] = f"{key}={filled[key]}"
    lines += [f"{key}={_new_secret(kind)}" for key, kind in wanted.items() if key not in filled]
    for key, value in filled.items():
        lines = [line.replace("${" + key + "}", value) if not line.lstrip().startswith("#") else line for line in lines]
    env = project / ".env"
    env.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env.chmod(0o600)


def _git(project: Path, *args: str, env: Mapping[str, str] | None = None) -> str:
    try:
        done = subprocess.run(
            ["git", "-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null", *args],
            cwd=project,
            env={**os.environ, **(env or {})},
            capture_output=True,
            text=True,
            check=True,
        )
    except FileNotFoundError as error:
        raise ToolError("git is not installed (install it, or pass --no-git)") from error
    except subprocess.CalledProcessError as error:
        raise ToolError(f"git {args[0]} failed: {(error.stderr or error.stdout).strip()}") from error
    return done.stdout


def git_commit_all(project: Path, message: str) -> None:
    """``git init`` (branch main) and commit everything, with a fallback identity."""
    _git(project, "init", "-q", "-b", "main")
    identity: dict[str, str] = {}
    configured = subprocess.run(
        ["git", "config", "user.email"], cwd=project, capture_output=True, text=True, check=False
    ).stdout.strip()
    if not configured and not os.environ.get("GIT_AUTHOR_EMAIL"):
        identity = {
            "GIT_AUTHOR_NAME": "stackstart",
            "GIT_AUTHOR_EMAIL": "stackstart@localhost",
            "GIT_COMMITTER_NAME": "stackstart",
            "GIT_COMMITTER_EMAIL": "stackstart@localhost",
        }
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "--no-verify", "-m", message, env=identity)


def list_files(root: Path) -> list[str]:
    """Every file below ``root`` (POSIX relative paths, sorted), ignoring ``.git``."""
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if (p.is_file() or p.is_symlink()) and ".git" not in p.relative_to(root).parts
    )


def next_steps(request: NewRequest, shown_destination: str) -> list[Step]:
    """The exact commands to run next, from the catalog."""
    fw, opts = request.framework, request.options
    values = request.identifiers.as_dict() | {"email": "admin@example.com"}
    steps = [Step("enter", f"cd {shown_destination}"), Step("install", catalog.command(fw, "install", values))]
    if opts.database != "none":
        steps.append(Step("migrate", catalog.command(fw, "migrate", values)))
    if opts.admin:
        admin = catalog.command(fw, "create_admin", values)
        steps.append(Step("create-admin", f"ADMIN_PASSWORD='choose-a-long-one' {admin}"))
    steps += [Step("test", catalog.command(fw, "test", values)), Step("run", catalog.command(fw, "run", values))]
    if opts.docker:
        steps.append(Step("docker", "docker compose up --build"))
    return steps


def _first_missing_ancestor(path: Path) -> Path | None:
    missing = None
    for candidate in [path, *path.parents]:
        if candidate.exists():
            break
        missing = candidate
    return missing


def create(request: NewRequest, *, dry_run: bool = False, shown_destination: str | None = None) -> NewResult:
    """Generate the project of ``request``; with ``dry_run`` only report what would be written."""
    dest = request.destination
    check_destination(dest)
    steps = next_steps(request, shown_destination or str(dest))
    if dry_run:
        with tempfile.TemporaryDirectory(prefix="stackstart-dry-run-") as scratch:
            project = Path(scratch) / "project"
            render(request.name, request.framework, request.options, project, request.source, request.copier_extra)
            write_env(project, request.framework.secrets)
            files = list_files(project)
        return NewResult(request, files, steps, dry_run=True, notes=list(request.notes))

    created_parent = _first_missing_ancestor(dest.parent)
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.stackstart-", dir=dest.parent))
    try:
        project = staging / dest.name
        render(request.name, request.framework, request.options, project, request.source, request.copier_extra)
        write_env(project, request.framework.secrets)
        if request.git:
            git_commit_all(project, f"Initial commit from stackstart {__version__} ({request.framework.title})")
        files = list_files(project)
        check_destination(dest)  # someone may have created it meanwhile
        if dest.is_dir():
            dest.rmdir()
        project.rename(dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if created_parent is not None:
            shutil.rmtree(created_parent, ignore_errors=True)
        raise
    shutil.rmtree(staging, ignore_errors=True)
    return NewResult(request, files, steps, committed=request.git, notes=list(request.notes))
