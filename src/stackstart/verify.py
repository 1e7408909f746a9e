"""The smoke pipeline behind `stackstart verify` and the build/contract test tiers.

render → install → lint → test → migrate → create-admin → production (boot
with the README's production variables behind a pretend TLS proxy, the
Dockerfile's HEALTHCHECK, production checks, stop) → boot → contract →
schemathesis → stop → unreachable-db (boot with the database unreachable,
expect 503). Every command
comes from the catalog, exactly as a user would type it in the project;
docs/contract.md ("How verify probes it") lists each boot's environment.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sysconfig
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from stackstart import catalog, contract, fuzz, generate, naming, project_files
from stackstart.catalog import Framework, Options
from stackstart.errors import StackstartError, ToolError, UsageError

__all__ = [
    "STEPS",
    "StepResult",
    "VerifyReport",
    "database_env",
    "healthcheck_command",
    "read_project",
    "require_server",
    "server_databases",
    "server_sql",
    "verify",
]

STEPS = (
    "render",
    "install",
    "lint",
    "test",
    "migrate",
    "create-admin",
    "production",
    "boot",
    "contract",
    "schemathesis",
    "stop",
    "unreachable-db",
)
Status = Literal["passed", "failed", "skipped"]
EventHandler = Callable[[str, "StepResult | None"], None]

_UNREACHABLE_URL = {
    "sqlite": "sqlite:////nonexistent-stackstart-dir/unreachable.sqlite3",
    "postgresql": "postgresql://stackstart:stackstart@127.0.0.1:1/unreachable",
    "mysql": "mysql://stackstart:stackstart@127.0.0.1:1/unreachable",
}
_STEP_TIMEOUT = 1800.0
_BOOT_TIMEOUT = 120.0


@dataclass
class StepResult:
    """How one step went."""

    name: str
    status: Status
    seconds: float = 0.0
    command: str = ""
    detail: str = ""

    def as_json(self) -> dict[str, object]:
        """The step in the ``--json`` report."""
        return {
            "name": self.name,
            "status": self.status,
            "seconds": round(self.seconds, 2),
            "command": self.command,
            "detail": self.detail,
        }


@dataclass
class VerifyReport:
    """Everything `verify` did, in order."""

    project: Path
    framework: Framework
    options: Options
    variant: str | None
    steps: list[StepResult] = field(default_factory=list)
    checks: list[contract.Check] = field(default_factory=list)
    database_server: str | None = None  # name and version of the server it ran against, if any
    fuzz: fuzz.FuzzResult | None = None  # the schemathesis run, when there was one
    name: str = ""  # the project's name (its folder's name when empty)

    @property
    def passed(self) -> bool:
        """True when no step failed."""
        return all(step.status != "failed" for step in self.steps)

    def as_json(self) -> dict[str, object]:
        """The ``result`` of the ``--json`` envelope (the project's name and path are in the envelope)."""
        return {
            "framework": self.framework.key,
            "variant": self.variant,
            "options": self.options.as_data(),
            "database_server": self.database_server,
            "schemathesis": None
            if self.fuzz is None
            else {
                "status": self.fuzz.status,
                "operations": self.fuzz.operations,
                "test_cases": self.fuzz.cases,
                "checks": self.fuzz.checks,
                "failures": self.fuzz.failures,
                "unreached_statuses": self.fuzz.unreached,
            },
            "passed": self.passed,
            "seconds": round(sum(s.seconds for s in self.steps), 2),
            "steps": [s.as_json() for s in self.steps],
            "checks": [{"name": c.name, "passed": c.passed, "detail": c.detail} for c in self.checks],
        }


def read_project(path: Path) -> tuple[str, Framework, Options]:
    """Name, framework and options of a generated project, from its answers file."""
    if not (path / project_files.ANSWERS_FILE).is_file():
        raise UsageError(
            f"{path} is not a stackstart project (no {project_files.ANSWERS_FILE}); pass a project directory"
        )
    answers, framework, options = project_files.read_answers(path)
    return str(answers["project_name"]), framework, options


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


_DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306}


def database_env(framework: Framework, url: str) -> dict[str, str]:
    """Environment variables pointing ``framework`` at the database ``url``.

    ``url`` is a ``sqlite:``, ``postgresql://`` or ``mysql://`` URL; frameworks
    whose variable takes another form (JDBC, ADO.NET) get it converted.
    """
    if framework.db_url_format == "url":
        return {framework.db_env: url}
    parts = urllib.parse.urlsplit(url)
    scheme = {"postgres": "postgresql", "mariadb": "mysql"}.get(parts.scheme, parts.scheme)
    host, db = parts.hostname or "127.0.0.1", parts.path.lstrip("/")
    port = parts.port or _DEFAULT_PORTS.get(scheme, 0)
    user, password = urllib.parse.unquote(parts.username or ""), urllib.parse.unquote(parts.password or "")
    file = parts.path[1:]  # sqlite:////abs/file.db → /abs/file.db, sqlite:///rel.db → rel.db
    if framework.db_url_format == "jdbc":
        if scheme == "sqlite":
            return {framework.db_env: f"jdbc:sqlite:{file}"}
        return {
            framework.db_env: f"jdbc:{scheme}://{host}:{port}/{db}",
            "SPRING_DATASOURCE_USERNAME": user,
            "SPRING_DATASOURCE_PASSWORD": password,
        }
    if scheme == "sqlite":
        return {framework.db_env: f"Data Source={file}"}
    if scheme == "mysql":  # MySqlConnector's keywords
        return {framework.db_env: f"Server={host};Port={port};Database={db};User ID={user};Password={password}"}
    return {framework.db_env: f"Host={host};Port={port};Database={db};Username={user};Password={password}"}


@dataclass(frozen=True)
class _ServerKind:
    """How verify reaches one kind of database server through its command-line client."""

    title: str
    env: str  # the variable holding the server URL
    example: str
    clients: tuple[str, ...]  # client executables, first found wins
    install_hint: str

    def client(self) -> str | None:
        return next((found for name in self.clients if (found := shutil.which(name))), None)


_SERVERS: Mapping[str, _ServerKind] = {
    "postgresql": _ServerKind(
        "PostgreSQL",
        "STACKSTART_POSTGRES_URL",
        "postgresql://USER:PASSWORD@HOST:PORT/postgres",
        ("psql",),
        "apt-get install postgresql-client",
    ),
    "mysql": _ServerKind(
        "MySQL",
        "STACKSTART_MYSQL_URL",
        "mysql://USER:PASSWORD@HOST:PORT/mysql",
        ("mariadb", "mysql"),
        "apt-get install mariadb-client (or a mysql client)",
    ),
}


@dataclass
class _Databases:
    urls: list[str]
    server: str | None  # "PostgreSQL 15.14 (…)", "MariaDB 10.11.19-…"


def _server_sql(database: str, client: str, server: str, sql: str) -> str:
    """Run ``sql`` on the server at URL ``server`` with its command-line client; return its output."""
    env = None
    if database == "postgresql":
        argv = [client, server, "-v", "ON_ERROR_STOP=1", "-qAtc", sql]
    else:
        parts = urllib.parse.urlsplit(server)
        argv = [client, "--no-defaults", "--protocol=TCP", "--batch", "--skip-column-names"]
        argv += [f"--host={parts.hostname or '127.0.0.1'}", f"--port={parts.port or 3306}"]
        argv += [f"--user={urllib.parse.unquote(parts.username or '')}", "-e", sql]
        if parts.path.strip("/"):
            argv.append(f"--database={parts.path.strip('/')}")
        # the password goes through the environment, not the command line that ps shows
        env = os.environ | {"MYSQL_PWD": urllib.parse.unquote(parts.password or "")}
    try:
        done = subprocess.run(argv, capture_output=True, text=True, check=False, env=env, timeout=120)
    except subprocess.TimeoutExpired as error:
        raise ToolError(f"{Path(client).name} timed out on {sql!r}") from error
    if done.returncode != 0:
        raise ToolError(f"{Path(client).name} failed on {sql!r}: {done.stderr.strip()}")
    return done.stdout.strip()


def require_server(database: str) -> tuple[str, str] | None:
    """The server URL and client for verifying on ``database``; None for one without a server (sqlite, none).

    Raises :class:`UsageError` when the URL variable or the client is missing,
    so that a matrix can refuse before it starts anything.
    """
    kind = _SERVERS.get(database)
    if kind is None:
        return None
    server = os.environ.get(kind.env)
    if not server:
        raise UsageError(
            f"verifying on {kind.title} needs a server: set {kind.env}={kind.example}"
            " (a role that may create databases)"
        )
    return server, _client(kind)


def _client(kind: _ServerKind) -> str:
    client = kind.client()
    if client is None:
        raise UsageError(
            f"verifying on {kind.title} needs the {' or '.join(kind.clients)} client on PATH (e.g. {kind.install_hint})"
        )
    return client


def server_sql(database: str, server: str, sql: str) -> str:
    """Run ``sql`` on the ``database`` server at URL ``server`` with the server's command-line client; its output.

    Raises :class:`UsageError` for a database without a server or a missing
    client, :class:`ToolError` when the statement fails.
    """
    kind = _SERVERS.get(database)
    if kind is None:
        raise UsageError(f"{database} has no server to run SQL on")
    return _server_sql(database, _client(kind), server, sql)


@contextmanager
def server_databases(database: str, count: int) -> Iterator[_Databases]:
    """Create ``count`` throwaway databases on the server named by the database's env var; drop them afterwards.

    Yields their URLs (the server's URL and credentials, each with its own
    database) and the server's name and version.
    """
    needed = require_server(database)
    if needed is None:
        raise UsageError(f"{database} has no server to create databases on")
    server, client = needed
    names = [f"stackstart_{secrets.token_hex(5)}" for _ in range(count)]
    if database == "postgresql":
        version = "PostgreSQL " + _server_sql(database, client, server, "SHOW server_version")
        create, drop = 'CREATE DATABASE "{}"', 'DROP DATABASE IF EXISTS "{}" WITH (FORCE)'
    else:
        found = _server_sql(database, client, server, "SELECT VERSION()")
        version = ("MariaDB " if "mariadb" in found.lower() else "MySQL ") + found
        create = "CREATE DATABASE `{}` CHARACTER SET utf8mb4"
        drop = "DROP DATABASE IF EXISTS `{}`"
    created: list[str] = []
    try:
        for name in names:
            _server_sql(database, client, server, create.format(name))
            created.append(name)
        base = urllib.parse.urlsplit(server)
        yield _Databases([urllib.parse.urlunsplit(base._replace(path="/" + name)) for name in names], version)
    finally:
        for name in created:
            with suppress(ToolError):
                _server_sql(database, client, server, drop.format(name))


class _Pipeline:
    def __init__(
        self,
        project: Path,
        framework: Framework,
        values: Mapping[str, str],
        on_event: EventHandler | None,
        logs: Path,
        env: Mapping[str, str],
    ) -> None:
        self.project = project
        self.framework = framework
        self.values = dict(values)
        self.on_event = on_event or (lambda _name, _result: None)
        self.logs = logs
        self.env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONHOME"}} | dict(env)
        # tools installed beside stackstart (uv, ruff) are usable even when that folder is not on PATH
        self.env["PATH"] = os.pathsep.join([sysconfig.get_path("scripts"), self.env.get("PATH", "")])
        self.steps: list[StepResult] = []

    def record(self, result: StepResult) -> StepResult:
        self.steps.append(result)
        self.on_event("finish", result)
        return result

    def skip(self, name: str, why: str) -> None:
        self.record(StepResult(name, "skipped", detail=why))

    def shell(self, name: str, command: str, extra_env: Mapping[str, str] | None = None) -> StepResult:
        """Run a catalog command in the project and record it as a step."""
        self.on_event("start", StepResult(name, "passed", command=command))
        log = self.logs / f"{name}.log"
        started = time.monotonic()
        with log.open("w", encoding="utf-8") as out:
            try:
                done = subprocess.run(
                    command,
                    shell=True,
                    cwd=self.project,
                    env=self.env | dict(extra_env or {}),
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    timeout=_STEP_TIMEOUT,
                    check=False,
                )
                failed = done.returncode != 0
                why = f"exit code {done.returncode}"
            except subprocess.TimeoutExpired:
                failed, why = True, f"timed out after {_STEP_TIMEOUT:.0f}s"
        output = log.read_text(encoding="utf-8", errors="replace")
        detail = f"{why}\n{_tail(output)}" if failed else _tail(output, 3)
        return self.record(
            StepResult(name, "failed" if failed else "passed", time.monotonic() - started, command, detail)
        )

    def boot(
        self, name: str, extra_env: Mapping[str, str], want_status: int | None, record_success: bool = True
    ) -> tuple[subprocess.Popen[bytes] | None, str]:
        """Start the catalog's run command on a free port and wait for /health."""
        port = _free_port()
        command = catalog.command(self.framework, "run", self.values)
        self.on_event("start", StepResult(name, "passed", command=command))
        started = time.monotonic()
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(
            command,
            shell=True,
            cwd=self.project,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=self.env | {"PORT": str(port)} | dict(extra_env),
            start_new_session=True,
        )
        base_url = f"http://127.0.0.1:{port}"
        status, problem = None, f"no answer on {base_url}{self.framework.health_path} within {_BOOT_TIMEOUT:.0f}s"
        while time.monotonic() - started < _BOOT_TIMEOUT:
            if process.poll() is not None:
                problem = f"server exited with code {process.returncode} before answering"
                break
            try:
                status = contract.request(base_url, "GET", self.framework.health_path, timeout=5).status
            except (urllib.error.URLError, OSError):
                time.sleep(0.25)
                continue
            if status == 0:  # connection dropped while starting up
                time.sleep(0.25)
                continue
            if want_status is None or status == want_status:
                problem = ""
                break
            if want_status != 200 or status not in (502, 503):
                problem = f"/health answered {status}, expected {want_status}"
                break
            time.sleep(0.25)
        log.close()
        elapsed = time.monotonic() - started
        if problem:
            output = (self.logs / f"{name}.log").read_text(encoding="utf-8", errors="replace")
            self.record(StepResult(name, "failed", elapsed, command, f"{problem}\n{_tail(output)}"))
            self.stop(process, record=False)
            return None, base_url
        if record_success:
            self.record(
                StepResult(
                    name, "passed", elapsed, command, f"/health answered {status} after {elapsed:.1f}s on {base_url}"
                )
            )
        return process, base_url

    def record_checks(self, name: str, checks: list[contract.Check], started: float, command: str) -> None:
        """Record a step made of contract checks: failed when any failed, with their details."""
        failed = [c for c in checks if not c.passed]
        detail = "\n".join(f"{c.name}: {c.detail}" for c in failed) or f"{len(checks)} checks passed"
        status: Status = "failed" if failed else "passed"
        self.record(StepResult(name, status, time.monotonic() - started, command, detail))

    def run_healthcheck(self, dockerfile: Path, env: Mapping[str, str], base_url: str) -> contract.Check:
        """Run the Dockerfile's own HEALTHCHECK command on this machine against the running server."""
        name = "the Dockerfile's HEALTHCHECK command passes"
        found = healthcheck_command(dockerfile.read_text(encoding="utf-8"))
        if found is None:
            return contract.Check(name, False, "the Dockerfile has no HEALTHCHECK")
        argv, timeout, workdir = found
        if workdir:  # the container's working directory is the project directory here
            prefix = workdir.rstrip("/") + "/"
            argv = [str(self.project) + "/" + a[len(prefix) :] if a.startswith(prefix) else a for a in argv]
        port = base_url.rsplit(":", 1)[1]
        try:
            done = subprocess.run(
                argv,
                cwd=self.project,
                env=self.env | dict(env) | {"PORT": port},
                capture_output=True,
                text=True,
                timeout=timeout + 10,  # a loaded machine is slower than a container's budget
                check=False,
            )
        except FileNotFoundError:
            return contract.Check(name, False, f"{argv[0]} is not installed on this machine")
        except subprocess.TimeoutExpired:
            return contract.Check(name, False, f"{argv!r} did not finish within {timeout + 10:.0f}s")
        output = _tail(done.stdout + done.stderr, 5)
        return contract.Check(name, done.returncode == 0, f"{argv!r} exited {done.returncode}: {output}")

    def stop(self, process: subprocess.Popen[bytes], name: str = "stop", record: bool = True) -> None:
        """SIGTERM the server's process group; it must exit within 20 s (else SIGKILL and fail)."""
        started = time.monotonic()
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
            ok, detail = True, f"exited with code {process.returncode}"
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            ok, detail = False, "did not stop within 20s of SIGTERM; killed"
        if record:
            self.record(StepResult(name, "passed" if ok else "failed", time.monotonic() - started, "SIGTERM", detail))


def verify(
    *,
    path: Path | None = None,
    framework: Framework | None = None,
    variant: str | None = None,
    database: str | None = None,
    workdir: Path | None = None,
    until: str | None = None,
    keep: bool = False,
    on_event: EventHandler | None = None,
    logs: Path | None = None,
) -> VerifyReport:
    """Run the smoke pipeline on ``path`` or on a fresh render of ``framework``/``variant``.

    ``until`` stops after the named step (e.g. ``"test"`` for the build tier).
    A fresh render goes into ``workdir`` (kept) or a temporary directory
    (removed at the end unless ``keep``). Each step's full output goes to
    ``logs/STEP.log`` when ``logs`` is given (an existing directory the caller
    owns and keeps), else to a temporary folder removed at the end. Failures
    are reported in the returned report, not raised; usage mistakes raise.
    """
    if until is not None and until not in STEPS:
        raise UsageError(f"unknown step {until!r} (choose from {', '.join(STEPS)})")
    own_workdir = workdir is None
    root = Path(tempfile.mkdtemp(prefix="stackstart-verify-")) if workdir is None else workdir
    own_logs = logs is None
    logs = Path(tempfile.mkdtemp(prefix="stackstart-verify-logs-")) if logs is None else logs
    try:
        request = None
        if path is None:
            if framework is None or variant is None:
                raise UsageError("verify needs a PATH or both --framework and --variant")
            # the same checks as `new`, before anything runs: a usage error, never a failed "render" step
            name = f"smoke-{variant}"
            wanted = catalog.variant_options(variant, database).as_data()
            request = generate.prepare(name, framework, wanted, root, git=False)
            options = request.options
        else:
            if not path.is_dir():
                raise UsageError(f"{path} is not a directory")
            name, framework, options = read_project(path)
            if database is not None and database != options.database:
                raise UsageError(f"{path} was generated for {options.database}; drop --database or regenerate")
        report = VerifyReport(path or root / name, framework, options, variant, name=name)
        databases = server_databases(options.database, 2) if options.database in _SERVERS else _no_databases()
        with databases as found:
            report.database_server = found.server
            _run(report, name, found.urls, logs, until, on_event, request)
        return report
    finally:
        if own_logs:
            shutil.rmtree(logs, ignore_errors=True)
        if own_workdir and (not keep or not any(root.iterdir())):  # nothing rendered: nothing to keep
            shutil.rmtree(root, ignore_errors=True)


@contextmanager
def _no_databases() -> Iterator[_Databases]:
    yield _Databases([], None)


def _run(
    report: VerifyReport,
    name: str,
    urls: list[str],
    logs: Path,
    until: str | None,
    on_event: EventHandler | None,
    request: generate.NewRequest | None,
) -> None:
    """The steps, in order; ``request``: render it first (else the project is already there)."""
    fw, opts = report.framework, report.options
    env: dict[str, str] = {}
    test_env: dict[str, str] = {}
    if urls:
        env = database_env(fw, urls[0])
        test_env = {"TEST_" + key: value for key, value in database_env(fw, urls[1]).items()}
    values = naming.identifiers(name).as_dict()
    pipe = _Pipeline(report.project, fw, values, on_event, logs, env)
    report.steps = pipe.steps

    def done(step: str) -> bool:
        return until is not None and STEPS.index(step) >= STEPS.index(until)

    if request is not None:
        pipe.on_event("start", StepResult("render", "passed"))
        started = time.monotonic()
        try:
            generate.create(request)
        except StackstartError as error:
            pipe.record(StepResult("render", "failed", time.monotonic() - started, "stackstart new", str(error)))
            return
        pipe.record(
            StepResult(
                "render",
                "passed",
                time.monotonic() - started,
                "stackstart new",
                f"{fw.key} {opts.slug} in {report.project}",
            )
        )
    if done("render"):
        return
    install = fw.commands.install
    if fw.fast_install and shutil.which(fw.fast_install[0], path=pipe.env["PATH"]):
        install = fw.fast_install[1]
    for step, command, extra in (
        ("install", install, {}),
        ("lint", catalog.command(fw, "lint", values), {}),
        ("test", catalog.command(fw, "test", values), test_env),
    ):
        if pipe.shell(step, command, extra).status == "failed" or (step != "test" and done(step)):
            return
    # framework-specific build checks (e.g. Django: no missing migration) belong to the test stage
    for step, command in fw.checks if opts.database != "none" else ():
        if pipe.shell(step, command).status == "failed":
            return
    if done("test"):
        return
    if opts.database == "none":
        pipe.skip("migrate", "no database")
    elif pipe.shell("migrate", catalog.command(fw, "migrate", values)).status == "failed":
        return
    credentials = None
    if not opts.admin:
        pipe.skip("create-admin", "no admin")
    else:
        credentials = (f"admin-{secrets.token_hex(3)}@example.com", secrets.token_urlsafe(18))
        command = catalog.command(fw, "create_admin", values | {"email": credentials[0]})
        if pipe.shell("create-admin", command, {"ADMIN_PASSWORD": credentials[1]}).status == "failed":
            return
    if done("create-admin"):
        return
    database = opts.database != "none"
    # every (method, path, status) the checker saw, in both boots: schemathesis counts them as reached
    observed: list[tuple[str, str, int]] = []
    _production(pipe, report, credentials, database, observed)
    if done("production"):
        return
    process, base_url = pipe.boot("boot", contract.MAIN_ENV, 200)
    if process is None:
        return
    try:
        pipe.on_event("start", StepResult("contract", "passed"))
        started = time.monotonic()
        boot_log = logs / "boot.log"
        checks = _guarded(
            contract.run_contract,
            base_url,
            project_name=name,
            database=database,
            auth=opts.auth,
            admin=opts.admin,
            admin_credentials=credentials,
            read_log=lambda: boot_log.read_text(encoding="utf-8", errors="replace"),
            observed=observed,
        )
        report.checks = checks + report.checks
        pipe.record_checks("contract", checks, started, f"HTTP contract against {base_url}")
        if not done("contract"):
            pipe.on_event("start", StepResult("schemathesis", "passed"))
            started = time.monotonic()
            fuzzed = fuzz.run_schemathesis(base_url, logs / "schemathesis", auth=opts.auth, observed=observed)
            report.fuzz = fuzzed
            pipe.record(
                StepResult("schemathesis", fuzzed.status, time.monotonic() - started, fuzzed.command, fuzzed.summary)
            )
    finally:
        pipe.stop(process)
    if done("stop"):
        return
    if not database:
        pipe.skip("unreachable-db", "no database")
        return
    down_env = database_env(fw, _UNREACHABLE_URL[opts.database])
    process, base_url = pipe.boot("unreachable-db", down_env, 503, record_success=False)
    if process is None:
        return
    started = time.monotonic()
    try:
        resp = contract.request(base_url, "GET", fw.health_path)
        body = resp.json() if resp.body.startswith(b"{") else None
    except (OSError, ValueError) as error:
        resp, body = None, repr(error)
    finally:
        pipe.stop(process, record=False)
    wanted = {"status": "error", "database": "unreachable"}
    ok = resp is not None and resp.status == 503 and body == wanted
    pipe.record(
        StepResult(
            "unreachable-db",
            "passed" if ok else "failed",
            time.monotonic() - started,
            f"GET {fw.health_path} with the database unreachable",
            f"503 {json.dumps(wanted)}" if ok else f"expected 503 {json.dumps(wanted)}, got {body!r}",
        )
    )


def _guarded(run: Callable[..., list[contract.Check]], *args: object, **kwargs: object) -> list[contract.Check]:
    """The checks of ``run``, or one failed check when the server stops answering in the middle."""
    try:
        return run(*args, **kwargs)
    except OSError as error:
        return [contract.Check("the server keeps answering", False, f"connection failed: {error!r}")]


def healthcheck_command(dockerfile: str) -> tuple[list[str], float, str | None] | None:
    """The final image's HEALTHCHECK of a Dockerfile: (argv, timeout in seconds, final WORKDIR).

    None when there is none (or ``HEALTHCHECK NONE``). The shell form runs as
    ``/bin/sh -c``, as Docker does.
    """
    text = re.sub(r"\\[ \t]*\n", " ", dockerfile)
    found: tuple[list[str], float] | None = None
    workdir: str | None = None
    for line in text.splitlines():
        words = line.strip().split(None, 1)
        if not words or words[0].startswith("#"):
            continue
        instruction, rest = words[0].upper(), words[1] if len(words) > 1 else ""
        if instruction == "FROM":
            found, workdir = None, None  # each stage starts afresh; the last one is the image
        elif instruction == "WORKDIR":
            workdir = rest.strip()
        elif instruction == "HEALTHCHECK":
            timeout = 30.0
            while rest.startswith("--"):
                option, _, rest = rest.partition(" ")
                rest = rest.lstrip()
                if option.startswith("--timeout="):
                    timeout = _duration(option.split("=", 1)[1])
            if rest.upper().startswith("NONE") or not rest.upper().startswith("CMD"):
                found = None
                continue
            command = rest[3:].strip()
            if command.startswith("["):
                argv = json.loads(command)
                found = ([str(a) for a in argv], timeout)
            else:
                found = (["/bin/sh", "-c", command], timeout)
    return (found[0], found[1], workdir) if found else None


def _duration(text: str) -> float:
    units = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
    total = 0.0
    for number, unit in re.findall(r"([\d.]+)(ms|s|m|h)", text):
        total += float(number) * units[unit]
    return total or 30.0


def _production(
    pipe: _Pipeline,
    report: VerifyReport,
    credentials: tuple[str, str] | None,
    database: bool,
    observed: list[tuple[str, str, int]],
) -> None:
    """Boot with the README's production variables behind a pretend TLS proxy; healthcheck and checks."""
    fw, opts = report.framework, report.options
    env = dict(fw.production_env) | dict(contract.PRODUCTION_ENV)
    process, base_url = pipe.boot("production", env, 200, record_success=False)
    if process is None:
        return
    started = time.monotonic()
    try:
        checks: list[contract.Check] = []
        dockerfile = report.project / "Dockerfile"
        if opts.docker and dockerfile.is_file():
            checks.append(pipe.run_healthcheck(dockerfile, env, base_url))
        checks += _guarded(
            contract.run_production,
            base_url,
            database=database,
            auth=opts.auth,
            admin=opts.admin,
            admin_credentials=credentials,
            observed=observed,
        )
    finally:
        pipe.stop(process, record=False)
    for check in checks:
        check.name = f"production: {check.name}"
    report.checks += checks
    names = ", ".join(sorted(env))
    run = catalog.command(fw, "run", pipe.values)
    pipe.record_checks("production", checks, started, f"{run} with {names}, behind a pretend TLS proxy")
