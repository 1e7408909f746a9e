"""The `stackstart` command line: parse, call the engine, print, exit.

Every error goes through :func:`main`: one line on stderr whatever went wrong
(user mistakes exit 2, tool failures 1, signals 128 + the signal); the tool's
own output and the traceback only with ``--debug`` (DESIGN.md §7).
"""

from __future__ import annotations

import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from stackstart import __version__, catalog, envelope, interrupts, project_files, scratch
from stackstart.errors import (
    INTERNAL_ERROR,
    INTERRUPTED,
    Interrupted,
    StackstartError,
    UpdateAvailable,
    UpdateConflicts,
    UsageError,
    VerifyFailed,
)

__all__ = ["cli", "main"]


def _interactive() -> bool:
    """Prompt only when a person can answer (stdin may even be closed: ``0<&-``)."""
    return sys.stdin is not None and not sys.stdin.closed and sys.stdin.isatty()


class _Once(click.Option):
    """An option that may be repeated only with the same value.

    click keeps the last of ``-f flask -f django`` or ``--auth --no-auth``;
    stackstart refuses the contradiction instead of guessing.
    """

    def __init__(self, *args: Any, same: Callable[[Any], object] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.same = same or (lambda value: value)

    def add_to_parser(self, parser: Any, ctx: click.Context) -> None:
        self.multiple = True  # so the parser collects every occurrence
        try:
            super().add_to_parser(parser, ctx)
        finally:
            self.multiple = False

    def consume_value(self, ctx: click.Context, opts: Any) -> tuple[Any, Any]:
        given = opts.get(self.name)
        if isinstance(given, list):
            if len({self.same(value) for value in given}) > 1:
                if self.secondary_opts:
                    raise click.UsageError(
                        f"{self.opts[0]} and {self.secondary_opts[0]} contradict each other (give one)"
                    )
                flag = max(self.opts, key=len)
                shown = " and ".join(dict.fromkeys(str(value) for value in given))
                raise click.UsageError(f"{flag} given more than once, as {shown} (give it once)")
            opts = {**opts, self.name: given[-1]}
        return super().consume_value(ctx, opts)


def _same_framework(name: object) -> object:
    framework = catalog.lookup(str(name))
    return framework.key if framework else str(name).lower()


@dataclass
class _Invocation:
    """What :func:`main` needs to know to report an error: set while the command line is parsed."""

    command: str | None = None
    debug: bool = False
    as_json: bool = False
    printed: bool = False  # the one JSON document is on stdout already


def _invocation() -> _Invocation:
    return click.get_current_context().find_object(_Invocation) or _Invocation()


def _note_debug(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    invocation = ctx.find_object(_Invocation)
    if value and invocation is not None:
        invocation.debug = True


class _Command(click.Command):
    """A subcommand: takes ``--debug`` after its name too, and notes its name and ``--json`` for :func:`main`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.append(
            click.Option(
                ["--debug"], is_flag=True, hidden=True, expose_value=False, is_eager=True, callback=_note_debug
            )
        )

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        invocation = ctx.find_object(_Invocation)
        if invocation is None:
            return super().parse_args(ctx, args)
        invocation.command = self.name
        takes_json = any(param.name == "as_json" for param in self.params)
        given = list(args)  # the parser consumes args
        try:
            rest = super().parse_args(ctx, args)
        except click.UsageError:
            # the parse failed before --json was read: an error in JSON all the same when it was given
            options = given[: given.index("--")] if "--" in given else given
            invocation.as_json = takes_json and "--json" in options
            raise
        invocation.as_json = bool(ctx.params.get("as_json"))
        return rest


class _Group(click.Group):
    command_class = _Command

    def invoke(self, ctx: click.Context) -> Any:
        """A KeyboardInterrupt our signal handler did not make (raised by code): Interrupted, as Ctrl-C is.

        Left alone, click would print an empty line and turn it into an Abort.
        """
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as error:
            raise Interrupted(signal.SIGINT) from error


def _emit_json(result: dict[str, object], project: tuple[str, Path] | None = None) -> None:
    """The command's result in the envelope of every ``--json`` command."""
    invocation = _invocation()
    click.echo(envelope.dumps(envelope.success(invocation.command or "", result, project)))
    invocation.printed = True


def _option_decorators(func: Callable[..., Any]) -> Callable[..., Any]:
    """One click option per catalog option: choices and flags come from the data."""
    return _catalog_options(func, keep=False)


def _catalog_options(func: Callable[..., Any], keep: bool) -> Callable[..., Any]:
    """``keep``: for update, where an option left out keeps the project's value instead of the default."""
    for spec in reversed(catalog.OPTIONS):
        default = "keep the project's value" if keep else ("off" if spec.choices is None else spec.default)
        if spec.choices is None:
            func = click.option(
                f"--{spec.name}/--no-{spec.name}", cls=_Once, default=None, help=f"{spec.help} [default: {default}]"
            )(func)
        else:
            func = click.option(
                f"--{spec.name}",
                cls=_Once,
                type=click.Choice(spec.choices),
                default=None,
                help=f"{spec.help} [default: {default}]",
            )(func)
    return func


def _framework_help() -> str:
    """The frameworks for `new --help`, from the catalog: which ship now, which do not yet."""
    now = " ".join(f.key for f in catalog.FRAMEWORKS if f.available)
    later = " ".join(f.key for f in catalog.FRAMEWORKS if not f.available)
    aliases = ", ".join(f.aliases[0] for f in catalog.FRAMEWORKS if f.aliases)
    return f"{now}" + (f" (not available yet: {later})" if later else "") + f"; or an alias such as {aliases}."


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="stackstart")
@click.option(
    "--debug",
    is_flag=True,
    envvar="STACKSTART_DEBUG",
    is_eager=True,
    expose_value=False,
    callback=_note_debug,
    help="Show what a tool underneath said and the traceback on errors (also after the command's name).",
)
def cli() -> None:
    """Starter repositories for Django, Flask, Express, Laravel, Rails, Spring Boot and ASP.NET Core."""


def _ask(prompt: Callable[..., Any], question: str, **kwargs: Any) -> Any:
    """``click.prompt`` or ``click.confirm``; cut short, the prompt's line is ended, so the error has its own."""
    try:
        return prompt(question, **kwargs)
    except (Interrupted, click.Abort):
        click.echo("")
        raise


def _ask_framework() -> str:
    available = [f.key for f in catalog.FRAMEWORKS if f.available]
    return str(_ask(click.prompt, "Framework", type=click.Choice(available)))


def _label(spec: catalog.OptionSpec) -> str:
    text = spec.help.split(";")[0]
    return text[:1].upper() + text[1:]  # "CI workflow…", not str.capitalize()'s "Ci workflow…"


def _ask_missing(given: dict[str, Any]) -> dict[str, Any]:
    """Prompt for every option the user did not give, following the catalog's order and requirements.

    Nothing a flag already decided is asked again: what a given option
    requires is on (``--admin`` → auth, and a database other than none).
    """
    answers = dict(given)
    needed: set[str] = set()  # options that options already on require
    for spec in reversed(catalog.OPTIONS):
        if spec.requires is not None and (spec.name in needed or answers.get(spec.name) not in (None, False, "none")):
            needed.add(spec.requires)
    for spec in catalog.OPTIONS:
        if answers.get(spec.name) is not None:
            continue
        if spec.requires is not None and answers.get(spec.requires) in (False, "none"):
            answers[spec.name] = False  # cannot apply, so later questions that need it are skipped too
            continue
        if spec.choices is None:
            answers[spec.name] = spec.name in needed or _ask(click.confirm, _label(spec), default=bool(spec.default))
            continue
        choices = tuple(c for c in spec.choices if not (spec.name in needed and c == "none"))
        default = spec.default if spec.default in choices else choices[0]
        answers[spec.name] = _ask(click.prompt, _label(spec), type=click.Choice(choices), default=default)
    return answers


@cli.command("new")
@click.argument("name")
@click.option(
    "--framework", "-f", "framework_name", cls=_Once, same=_same_framework, metavar="F", help=_framework_help()
)
@_option_decorators
@click.option(
    "--git/--no-git", cls=_Once, default=True, help="git init + first commit (needed by update) [default: on]"
)
@click.option(
    "--output",
    "-o",
    cls=_Once,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory in which to create the project folder NAME [default: current directory].",
)
@click.option(
    "--package",
    "java_package",
    cls=_Once,
    metavar="PKG",
    help="Spring Boot base package, e.g. com.example.shop [default: com.example.NAME].",
)
@click.option("--defaults", is_flag=True, help="Never prompt: use defaults for every option not given.")
@click.option("--yes", "-y", "defaults", is_flag=True, hidden=True)
@click.option("--dry-run", is_flag=True, help="Print the options and the files that would be written; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
def new_command(
    name: str,
    framework_name: str | None,
    git: bool,
    output: Path | None,
    java_package: str | None,
    defaults: bool,
    dry_run: bool,
    as_json: bool,
    **given: Any,
) -> None:
    """Create the project NAME from a framework template."""
    from stackstart import generate

    interactive = not defaults and not as_json and _interactive()
    if framework_name is None:
        if not interactive:
            raise UsageError("missing --framework (one of " + ", ".join(f.key for f in catalog.FRAMEWORKS) + ")")
        framework_name = _ask_framework()
    framework = project_files.find_framework(framework_name)
    generate.check_name(name, framework)
    if interactive:
        # validate what was given before asking about the rest
        catalog.resolve_options(given)
        given = _ask_missing(given)
    request = generate.prepare(name, framework, given, output, git, java_package)
    shown = (
        str(request.destination.relative_to(Path.cwd()))
        if request.destination.is_relative_to(Path.cwd())
        else str(request.destination)
    )
    for note in generate.sweep_abandoned(request.destination.parent):
        click.echo(f"note: {note}", err=True)
    result = generate.create(request, dry_run=dry_run, shown_destination=shown)
    if not dry_run:
        interrupts.set_outcome(f"interrupted, but {shown} had already been created completely")
    if as_json:
        _emit_json(result.as_json(), (request.name, request.destination))
        return
    opts = request.options
    summary = ", ".join(
        [opts.database]
        + [n for n in ("auth", "admin", "docker") if getattr(opts, n)]
        + ([f"ci {opts.ci}"] if opts.ci != "none" else [])
    )
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    if dry_run:
        click.echo(f"Would create {name} ({framework.title}; {summary}) in {shown} with {len(result.files)} files:")
        for file in result.files:
            click.echo(f"  {file}")
        return
    click.echo(
        f"Created {name} ({framework.title}; {summary}) in {shown}: {len(result.files)} files"
        + (", first commit made" if result.committed else "")
    )
    click.echo("\nNext steps:")
    for step in result.next_steps:
        click.echo(f"  {step.command}")


@cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def list_command(as_json: bool) -> None:
    """Frameworks, versions, options and the commands of their projects."""
    listing = envelope.list_result()
    if as_json:
        _emit_json(listing)
        return
    rows: list[dict[str, Any]] = listing["frameworks"]  # type: ignore[assignment]
    for row in rows:
        state = "available" if row["available"] else "not available yet"
        click.echo(f"{row['key']:<11} {row['title']} {row['version']} ({row['runtime']}, {row['registry']}) — {state}")
        for what, command in row["commands"].items():
            click.echo(f"    {what.replace('_', '-'):<13} {command}")
    click.echo(
        "\noptions: "
        + "  ".join(
            f"--{s.name} {'|'.join(s.choices)}" if s.choices else f"--{s.name}/--no-{s.name}" for s in catalog.OPTIONS
        )
    )
    click.echo("commands run inside the project; run honours $PORT, create-admin reads $ADMIN_PASSWORD")


@cli.command("doctor")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def doctor_command(as_json: bool) -> None:
    """Which toolchains are installed, and which frameworks can be built here."""
    from stackstart import toolchains

    found = toolchains.detect()
    buildable = toolchains.buildable(found)
    if as_json:
        _emit_json(envelope.doctor_result(found, buildable))
        return
    for key, tool in found.items():
        click.echo(f"{key:<9} {tool.version or '?':<12} {tool.path}" if tool.present else f"{key:<9} missing")
    click.echo("")
    for key, missing in buildable.items():
        click.echo(f"{key:<11} " + ("can be built here" if not missing else "needs " + ", ".join(missing)))


class _Progress:
    """Step names and elapsed time on a terminal; silent otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.current: str | None = None
        self.started = 0.0
        self.lock = threading.Lock()
        self.stop_event = threading.Event()
        self.thread: threading.Thread | None = None

    def __call__(self, event: str, result: Any) -> None:
        if not self.enabled:
            return
        with self.lock:
            if event == "start":
                self.current, self.started = result.name, time.monotonic()
                if self.thread is None:
                    self.thread = threading.Thread(target=self._tick, daemon=True)
                    self.thread.start()
                return
            self.current = None
            mark = {"passed": "ok  ", "failed": "FAIL", "skipped": "skip"}[result.status]
            extra = f" ({result.detail})" if result.status == "skipped" else ""
            click.echo(f"\r\033[K{mark} {result.name:<15} {result.seconds:6.1f}s{extra}", err=True)
            if result.status == "failed":
                click.echo(result.detail, err=True)

    def _tick(self) -> None:
        frames = "|/-\\"
        index = 0
        while not self.stop_event.wait(0.2):
            with self.lock:
                if self.current is not None:
                    elapsed = time.monotonic() - self.started
                    click.echo(f"\r\033[K{frames[index % 4]}    {self.current:<15} {elapsed:6.1f}s", err=True, nl=False)
            index += 1

    def close(self) -> None:
        self.stop_event.set()


@cli.command("verify")
@click.argument("path", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--framework",
    "-f",
    "framework_name",
    metavar="F[,F…]|all",
    help="Render these frameworks (instead of PATH); all: every shipped one.",
)
@click.option("--variant", metavar="V[,V…]|all", help="minimal, api, full (comma-separated), or all.")
@click.option(
    "--database",
    metavar="D[,D…]|all",
    default=None,
    help="sqlite, postgresql, mysql (comma-separated) or all [default: each variant's own]; "
    "postgresql needs $STACKSTART_POSTGRES_URL, mysql $STACKSTART_MYSQL_URL.",
)
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True, help="Cases run at once.")
@click.option(
    "--junit",
    "junit_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a JUnit XML report to this file.",
)
@click.option(
    "--logs",
    "logs_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    hidden=True,  # the matrix's child processes: keep each step's log there
)
@click.option("--list-matrix", is_flag=True, help="Print the matrix CI should run (from the catalog) and exit.")
@click.option("--keep", is_flag=True, help="Keep the rendered project and print where it is.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON report instead of text.")
def verify_command(
    path: Path | None,
    framework_name: str | None,
    variant: str | None,
    database: str | None,
    jobs: int,
    junit_file: Path | None,
    list_matrix: bool,
    logs_dir: Path | None,
    keep: bool,
    as_json: bool,
) -> None:
    """Render (or take PATH), install, lint, test, migrate, boot and probe the HTTP contract.

    Several frameworks, variants or databases (or all) make a matrix: --jobs
    cases at a time, a summary table at the end. Exit 0 if every case passed, 3 if one failed.
    """
    from stackstart import matrix, verify

    if list_matrix:
        if path is not None or framework_name or variant or database or junit_file or keep:
            raise UsageError("--list-matrix takes no PATH, --framework, --variant, --database, --junit or --keep")
        _print_matrix(matrix.ci_matrix(), as_json)
        return
    if path is not None and (framework_name or variant):
        raise UsageError("give either PATH or --framework/--variant, not both")
    if junit_file is not None and not junit_file.parent.is_dir():
        raise UsageError(f"--junit {junit_file}: folder {junit_file.parent} does not exist")
    if path is not None:
        databases = matrix.split(database, matrix.SERVER_DATABASES, "--database") if database else None
        if databases and len(databases) > 1:
            raise UsageError("a project has one database: give --database once, or none")
        _verify_one(path, None, None, databases[0] if databases else None, keep, as_json, junit_file, logs_dir)
        return
    if framework_name is None or variant is None:
        raise UsageError("verify needs a PATH, or --framework F and --variant minimal|api|full")
    if framework_name.strip().lower() == "all":
        names = tuple(f.key for f in catalog.FRAMEWORKS if f.available)
    else:
        names = tuple(dict.fromkeys(_framework_key(name) for name in framework_name.split(",")))
    variants = matrix.split(variant, tuple(catalog.VARIANTS), "--variant")
    databases = matrix.split(database, matrix.SERVER_DATABASES, "--database") if database else None
    cases = matrix.expand(names, variants, databases)
    for needed in dict.fromkeys(case.database for case in cases):
        verify.require_server(needed)
    if len(cases) == 1:
        case = cases[0]
        one_db = None if case.database == "none" or database is None else case.database
        _verify_one(None, catalog.get(case.framework), case.variant, one_db, keep, as_json, junit_file, logs_dir)
        return
    if keep or logs_dir:
        raise UsageError("--keep keeps one project: give one framework, variant and database")
    _verify_matrix(cases, jobs, as_json, junit_file)


def _framework_key(name: str) -> str:
    """A shipped framework's key for NAME (or an alias); unknown or not shipped: a usage error."""
    if not name.strip():
        raise UsageError("--framework has an empty value (give a comma-separated list, or all)")
    framework = project_files.find_framework(name.strip())
    if not framework.available:
        project_files.check_available(framework)
    return framework.key


def _verify_one(
    path: Path | None,
    framework: catalog.Framework | None,
    variant: str | None,
    database: str | None,
    keep: bool,
    as_json: bool,
    junit_file: Path | None,
    logs_dir: Path | None,
) -> None:
    """One project: step lines as they finish, the report unchanged since before the matrix."""
    from stackstart import junit, matrix, verify

    progress = _Progress(enabled=not as_json and sys.stderr.isatty())
    own_logs = logs_dir is None and junit_file is not None
    logs = Path(tempfile.mkdtemp(prefix="stackstart-verify-logs-")) if own_logs else logs_dir
    started = time.monotonic()
    try:
        report = verify.verify(
            path=path, framework=framework, variant=variant, database=database, keep=keep, on_event=progress, logs=logs
        )
        if junit_file is not None and logs is not None:
            case = matrix.Case(report.framework.key, variant or "project", report.options.database)
            result = matrix.CaseResult(case, report, time.monotonic() - started, logs)
            junit.write([result], result.seconds, junit_file)
    finally:
        progress.close()
        if own_logs and logs is not None:
            shutil.rmtree(logs, ignore_errors=True)
    if as_json:
        _emit_json(report.as_json(), (report.name or report.project.name, report.project))
    elif not progress.enabled:
        for step in report.steps:
            click.echo(
                f"{step.status:<8} {step.name:<15} {step.seconds:6.1f}s  {(step.detail.splitlines() or [''])[0]}"
            )
            if step.status == "failed":
                click.echo(step.detail)
    if not as_json:
        if report.database_server:
            click.echo(f"database server: {report.database_server}")
        click.echo(
            f"{'PASSED' if report.passed else 'FAILED'}: {report.framework.key} {report.options.slug}"
            + (f" (kept in {report.project})" if keep else "")
        )
    if not report.passed:
        failed = next(step for step in report.steps if step.status == "failed")
        raise VerifyFailed(f"verify failed at step {failed.name} ({report.framework.key} {report.options.slug})")


def _verify_matrix(cases: list[Any], jobs: int, as_json: bool, junit_file: Path | None) -> None:
    """Several cases, ``jobs`` at a time: a line per finished case, then the summary table and the failures."""
    from stackstart import junit, matrix

    logs = Path(tempfile.mkdtemp(prefix="stackstart-verify-logs-"))

    def done(result: matrix.CaseResult) -> None:
        if not as_json:
            word = "passed" if result.passed else f"FAILED at {result.failure}"
            click.echo(f"{result.case.id}: {word} ({result.seconds:.1f}s)", err=True)

    if not as_json:
        click.echo(f"verifying {len(cases)} cases, {jobs} at a time; logs in {logs}", err=True)
    started = time.monotonic()
    try:
        results = matrix.run(cases, jobs, logs, on_done=done)
    except BaseException:
        shutil.rmtree(logs, ignore_errors=True)
        raise
    wall = time.monotonic() - started
    passed = all(result.passed for result in results)
    if junit_file is not None:
        junit.write(results, wall, junit_file)
    if passed:  # nothing to look at: the logs go
        shutil.rmtree(logs, ignore_errors=True)
    if as_json:
        _emit_json(matrix.matrix_json(results, wall, jobs, None if passed else logs))
    else:
        for line in matrix.format_failures(results):
            click.echo(line)
        for line in matrix.format_summary(results, wall):
            click.echo(line)
    if not passed:
        failed = [result.case.id for result in results if not result.passed]
        raise VerifyFailed(f"verify failed: {len(failed)} of {len(results)} cases ({', '.join(failed)})")


def _print_matrix(document: dict[str, Any], as_json: bool) -> None:
    if as_json:
        _emit_json(document)
        return
    for row in document["include"]:
        state = f"skip: {row['skip']}" if row["skip"] else "run"
        click.echo(f"{row['framework']:<11} {row['database']:<11} {row['variants']:<17} {state}")


def _update_options(func: Callable[..., Any]) -> Callable[..., Any]:
    return _catalog_options(func, keep=True)


@cli.command("update")
@click.argument("path", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
@_update_options
@click.option("--framework", "-f", "framework_name", metavar="F", hidden=True)
@click.option(
    "--conflict",
    type=click.Choice(("inline", "rej")),
    default="inline",
    show_default=True,
    help="Conflict style: markers in the file, or a .rej file beside it.",
)
@click.option("--dry-run", is_flag=True, help="Show which files would change; touch nothing.")
@click.option(
    "--check",
    is_flag=True,
    help="Only say whether an update is available: exit 0 if not, 5 if one is (for CI); touch nothing.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
def update_command(
    path: Path,
    framework_name: str | None,
    conflict: str,
    dry_run: bool,
    check: bool,
    as_json: bool,
    **given: Any,
) -> None:
    """Merge this release's template changes (and option changes) into the project at PATH.

    Exit codes: 0 done, 4 conflicted files to resolve, 5 (--check) an update is available.
    """
    from stackstart import update

    if check:
        extra = [f"--{name}" for name, value in given.items() if value is not None]
        extra += ["--dry-run"] if dry_run else []
        extra += ["--framework"] if framework_name is not None else []
        if click.get_current_context().get_parameter_source("conflict") is not click.core.ParameterSource.DEFAULT:
            extra.append("--conflict")
        if extra:
            raise UsageError(f"--check only reads the project: drop {', '.join(extra)}")
        _update_check(update.check(path), as_json)
        return
    result = update.update(path, given, framework=framework_name, conflict=conflict, dry_run=dry_run)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    if as_json:
        _emit_json(result.as_json(), (result.project.name, result.project))
    else:
        _print_update(result)
    if result.conflicted:
        raise UpdateConflicts(f"{len(result.conflicted)} conflicted file(s)")


def _update_check(result: Any, as_json: bool) -> None:
    if as_json:
        _emit_json(result.as_json(), (result.project.name, result.project))
    elif result.update_available:
        click.echo(
            f"{result.project.name}: template {result.from_version} → {result.to_version} available; "
            "run stackstart update"
        )
    else:
        click.echo(f"{result.project.name}: template {result.from_version} is up to date")
    if result.update_available:
        sys.exit(UpdateAvailable.exit_code)


def _shown(value: object) -> str:
    """An option value as the user wrote it: on/off for a flag, the choice itself otherwise."""
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def _print_update(result: Any) -> None:
    dry_run = result.dry_run
    changes = ", ".join(f"{k} {_shown(a)}→{_shown(b)}" for k, (a, b) in result.option_changes.items())
    click.echo(
        f"{result.project.name}: template {result.from_version} → {result.to_version}"
        + (f"; options {changes}" if changes else "")
    )
    if result.up_to_date:
        click.echo("already up to date" if not dry_run else "nothing would change")
    for label, names in (
        ("added", result.added),
        ("changed", result.changed),
        ("removed", result.removed),
        ("deleted by you (left deleted)", result.deleted_by_you),
    ):
        for name in names:
            click.echo(f"  {label}: {name}")
    env = "; ".join(
        f"{what} {', '.join(keys)}"
        for what, keys in (
            ("added", result.env.added),
            ("updated", result.env.updated),
            ("kept yours", result.env.kept),
        )
        if keys
    )
    if env:
        click.echo(f"  .env (not in git): {env}")
    for item in result.conflicted:
        click.echo(f"  CONFLICT {item.path}: {item.reason}")
    if not dry_run and not result.up_to_date:
        click.echo("changed files are not committed: review with git diff, resolve conflicts, then commit")


def _say(error: BaseException, message: str, debug: bool, detail: str = "", hint: str = "", trace: bool = True) -> str:
    """The one line of an error (its first), which it returns; with --debug, the rest, the tool's output, the traceback.

    ``trace``: False for usage errors, whose traceback would only show where the input was checked.
    """
    lines = [line.strip() for line in message.splitlines() if line.strip()] or ["failed"]
    more = "\n".join([*lines[1:], *([detail] if detail else [])])
    if more and not debug:
        hint = " (run with --debug for the details)"
    click.echo(f"error: {lines[0]}{hint}", err=True)
    if debug:
        if more:
            click.echo(more, err=True)
        if trace:
            traceback.print_exception(error)
    return lines[0]


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and turn every error and interrupt into one line and an exit code."""
    with interrupts.handled():
        code = _run(argv)
    sys.exit(code)


def _run(argv: list[str] | None) -> int:
    invocation = _Invocation()
    try:
        try:
            cli.main(args=argv, prog_name="stackstart", standalone_mode=False, obj=invocation)
        finally:
            with interrupts.deferred():
                scratch.remove_owned()  # a backstop: whatever a cut-short cleanup did not get to
    except (Exception, click.Abort) as error:
        stop = interrupts.received()
        if stop is None or isinstance(error, click.exceptions.Exit):
            code, message = _report(error, invocation.debug)
        else:
            code, message = _interrupted(stop)  # whatever the interrupt turned into on its way out
    except Interrupted as stop:
        code, message = _interrupted(stop)
    except KeyboardInterrupt:  # SIGINT outside our handler's reach (another thread): same message
        code, message = _interrupted(Interrupted(INTERRUPTED - 128))
    else:
        return 0
    if code != 0 and invocation.as_json and not invocation.printed:
        click.echo(envelope.dumps(envelope.failure(invocation.command, message, code)))
    return code


def _interrupted(stop: Interrupted) -> tuple[int, str]:
    click.echo(f"error: {stop.message}", err=True)
    return stop.exit_code, stop.message


def _report(error: Exception | click.Abort, debug: bool) -> tuple[int, str]:
    """One line on stderr for ``error``; its exit code and that line (without ``error:``)."""
    if isinstance(error, click.exceptions.Exit):
        return error.exit_code, ""
    if isinstance(error, click.Abort):  # click's word for KeyboardInterrupt, and for the end of input at a prompt
        if isinstance(error.__context__, KeyboardInterrupt):  # raised by code, not by our signal handler
            return _interrupted(Interrupted(INTERRUPTED - 128))
        message = "input ended before every question was answered; nothing was written"
        click.echo(f"error: {message}", err=True)
        return UsageError.exit_code, message
    if isinstance(error, click.exceptions.NoArgsIsHelpError):  # bare `stackstart`: the help, as click shows it
        error.show()
        return error.exit_code, "no command given"
    if isinstance(error, click.UsageError):
        ctx = error.ctx
        hint = f" (see 'stackstart {ctx.info_name} --help')" if ctx and ctx.parent else " (see 'stackstart --help')"
        return UsageError.exit_code, _say(error, error.format_message(), debug, hint=hint, trace=False)
    if isinstance(error, StackstartError):
        trace = not isinstance(error, UsageError)
        return error.exit_code, _say(error, str(error), debug, error.detail, trace=trace)
    # a bug: one clear line, a code of its own, and how to see more
    hint = "" if debug else " (run with --debug for the traceback)"
    return INTERNAL_ERROR, _say(error, f"internal error: {type(error).__name__}: {error}", debug, hint=hint)
