"""`stackstart new`: validate → render into a temp dir → write secrets → git → rename.

A render never leaves a half-written project behind: everything happens in a
hidden staging directory beside the destination (``.NAME.stackstart-*``),
which is renamed into place only when it is complete, and removed on any
failure or interrupt. Copier's temporary clone of the template lives inside
it too. The staging directory is locked by its process for as long as that
process lives, so after a SIGKILL the next run in that folder can tell it was
abandoned and remove it (:func:`sweep_abandoned`), and never touches the
staging directory of a run still going on.
"""

from __future__ import annotations

import base64
import difflib
import errno
import functools
import os
import re
import secrets
import shutil
import stat
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stackstart import __version__, catalog, gitrun, history, interrupts, naming, scratch, tree
from stackstart.catalog import Framework, Options
from stackstart.errors import StackstartError, ToolError, UsageError, quote

__all__ = [
    "NewRequest",
    "NewResult",
    "Step",
    "check_answers_spelling",
    "check_available",
    "check_destination",
    "check_name",
    "check_output",
    "create",
    "find_framework",
    "next_steps",
    "prepare",
    "read_answers",
    "render",
    "sweep_abandoned",
]

# what Scratch.create makes of the prefixes below: 8 characters of tempfile's alphabet
_STAGING = re.compile(r"\.[a-z][a-z0-9_-]*\.stackstart-[a-z0-9_]{8}")
_DRY_RUN = re.compile(r"stackstart-dry-run-[a-z0-9_]{8}")
# a mistake in --output rather than a failure of the machine
_PATH_ERRNOS = frozenset(
    {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT, errno.ENOTDIR, errno.ELOOP, errno.EEXIST, errno.ENAMETOOLONG}
)


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
        """The ``result`` of the ``--json`` envelope (the project's name and path are in the envelope)."""
        req = self.request
        return {
            "framework": req.framework.key,
            "options": req.options.as_data(),
            "dry_run": self.dry_run,
            "git": req.git,
            "committed": self.committed,
            "files": self.files,
            "next_steps": [{"what": s.what, "command": s.command} for s in self.next_steps],
            "notes": self.notes,
        }


def find_framework(name: str) -> Framework:
    """The framework called ``name`` (or an alias), or a one-line error with the choices."""
    framework = catalog.lookup(name)
    if framework is not None:
        return framework
    close = difflib.get_close_matches(name.lower(), catalog.all_names(), n=1)
    hint = f'did you mean "{close[0]}"? ' if close else ""
    choices = ", ".join(f.key for f in catalog.FRAMEWORKS)
    raise UsageError(f"unknown framework {quote(name)} ({hint}choose from {choices})")


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
    check_output(destination.parent)
    check_destination(destination)
    return NewRequest(name, framework, options, destination, git=git, notes=tuple(notes), java_package=java_package)


ANSWERS_FILE = ".copier-answers.yml"


def read_answers(
    project: Path, text: str | None = None, require: tuple[str, ...] = ("project_name", "framework")
) -> tuple[dict[str, Any], Framework, Options]:
    """The answers file of a generated project (or ``text`` of an older version of it), its framework and options.

    The framework is looked up like ``--framework`` (:func:`find_framework`:
    an alias or another case is fine), and the returned answers name it by its
    catalog key, so no caller looks it up again. Anything that is not a usable
    answers file is a one-line :class:`UsageError`.
    """
    import yaml  # copier's own dependency

    where = project / ANSWERS_FILE
    problem = f"{where} is not a valid stackstart answers file: it"
    try:
        answers = yaml.safe_load(text if text is not None else where.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise UsageError(f"{problem} is not UTF-8 text (restore it with git checkout)") from error
    except OSError as error:
        raise UsageError(f"cannot read {where}: {(error.strerror or str(error)).lower()}") from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        raise UsageError(f"{problem} is not valid YAML{line} (restore it with git checkout)") from error
    if not isinstance(answers, dict):
        raise UsageError(f"{problem} holds no answers (restore it with git checkout)")
    missing = [key for key in require if not answers.get(key)]
    if missing:
        raise UsageError(f"{problem} lacks {', '.join(missing)} (restore it with git checkout)")
    try:
        framework = find_framework(str(answers["framework"]))
    except UsageError as error:
        raise UsageError(
            f"{problem} names an unknown framework {answers['framework']!r} (restore it with git checkout)"
        ) from error
    answers["framework"] = framework.key
    try:
        options, _ = catalog.resolve_options({spec.name: answers.get(spec.name) for spec in catalog.OPTIONS})
    except UsageError as error:
        raise UsageError(f"{problem} has a bad option: {error} (restore it with git checkout)") from error
    return answers, framework, options


def check_answers_spelling(project: Path, framework: Framework) -> None:
    """Refuse an answers file that names ``framework`` otherwise than by its key, where Copier will read it.

    stackstart reads ``framework: FLASK`` or an alias (:func:`read_answers`);
    Copier's update replays the file as written and accepts only the key.
    """
    import yaml

    written = yaml.safe_load((project / ANSWERS_FILE).read_text(encoding="utf-8")).get("framework")
    if written != framework.key:
        raise UsageError(
            f"{project / ANSWERS_FILE} names the framework {quote(str(written))}, which Copier's update does not "
            f"accept: write framework: {framework.key}, commit, then run stackstart update again"
        )


def check_output(folder: Path) -> None:
    """Refuse an output folder in which no project can be created, saying what is wrong with it.

    The folder may not exist yet; its nearest existing ancestor must be a
    writable directory. (Some failures only show when creating, e.g. in
    /proc; :func:`create` turns those into the same kind of message.)
    """
    existing = folder
    while True:
        try:
            info = existing.stat()
        except (FileNotFoundError, NotADirectoryError):
            if existing.is_symlink():
                raise UsageError(f"cannot create a project in {folder}: {existing} is a broken symbolic link") from None
            existing = existing.parent
            continue
        except OSError as error:
            raise _unusable(folder, error) from None
        break
    if not stat.S_ISDIR(info.st_mode):
        raise UsageError(f"cannot create a project in {folder}: {existing} is a file, not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        read_only = bool(os.statvfs(existing).f_flag & os.ST_RDONLY)
        why = "is on a read-only file system" if read_only else "is not writable for you"
        raise UsageError(f"cannot create a project in {folder}: {existing} {why} (choose another --output)")


def _unusable(folder: Path, error: OSError) -> StackstartError:
    """An OSError met while creating in ``folder``: the user's mistake (exit 2) or the machine's (exit 1)."""
    reason = (error.strerror or str(error)).lower()
    if error.errno == errno.ELOOP:
        reason = "a symbolic link loop"
    where = f" ({error.filename})" if error.filename and str(error.filename) != str(folder) else ""
    if error.errno in _PATH_ERRNOS:
        return UsageError(f"cannot create a project in {folder}: {reason}{where} (choose another --output)")
    return ToolError(f"cannot create a project in {folder}: {reason}{where}")


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
    scratch_dir: Path | None = None,
) -> None:
    """Render the Copier template into ``target`` (which must not exist or be empty).

    The template comes from the history store at this release's tag, rendered
    from its extracted copy (:func:`history.extracted`, no clone per run); the
    answers record ``_commit: v<version>`` and ``_src_path`` as Copier's own
    render of the store would, so `stackstart update` and `copier update` find it.
    With ``scratch_dir``, nothing is written outside it and ``target``.
    """
    check_available(framework)
    data: dict[str, object] = {"project_name": name, "framework": framework.key, **options.as_data(), **(extra or {})}
    if source is None and shutil.which("git") is None:
        # `new --no-git` on a machine without git: the history store needs git, so render this
        # release's template folder, which is exactly the tree tagged v<version> in the store
        copier_render(str(catalog.template_root()), None, data, target)
        record_source(target, history.TemplateSource(history.STABLE_BUNDLE, history.release_tag()))
        return
    source = source or history.default_source()
    extracted = history.extracted(source, scratch_dir)
    if extracted is None:
        copier_render(source.path, source.ref, data, target)
        return
    copier_render(str(extracted), None, data, target)
    record_source(target, source)


def record_source(project: Path, source: history.TemplateSource) -> None:
    """Make the answers of a render from a plain folder say what Copier's render of ``source`` says.

    That is ``_commit: <tag>`` and ``_src_path: <history>``, so `stackstart update`
    and a plain `copier update` find the template's history.
    """
    import yaml  # copier's own dependency

    answers = project / ANSWERS_FILE
    lines = [
        line
        for line in answers.read_text(encoding="utf-8").splitlines()
        if not line.startswith(("_commit:", "_src_path:"))
    ]
    at = next((index for index, line in enumerate(lines) if not line.startswith("#")), len(lines))
    recorded = {"_commit": source.ref, "_src_path": source.path}
    lines[at:at] = yaml.safe_dump(recorded, default_flow_style=False, allow_unicode=True, width=4096).splitlines()
    answers.write_text("\n".join(lines) + "\n", encoding="utf-8")


@functools.cache
def copier_worker() -> Any:
    """``copier.Worker``, made to do less work that changes nothing in what it writes:

    - Copier's ``_sync_git_index_executable_bit`` runs ``git config core.fileMode``
      for every file it writes (and acts only when that is false); the answer
      cannot change during one render, so git is asked once per destination;
    - every Jinja source is compiled once per process (:func:`_memoize_compile`);
    - a render that `stackstart update` has already made is copied (:func:`prerendered`).
    """
    import copier  # lazily: keeps `--help`, `list` and `doctor` fast

    class Worker(copier.Worker):
        def run_copy(self) -> None:
            _FILE_MODE_IGNORED.clear()
            ready = next((render for render in _PRERENDERED if render.serves(self)), None)
            if ready is None:
                super().run_copy()
                return
            shutil.copytree(ready.folder, self.dst_path, symlinks=True, dirs_exist_ok=True)
            ready.used.append(Path(self.dst_path))

        def run_update(self) -> None:
            _FILE_MODE_IGNORED.clear()
            super().run_update()

        @functools.cached_property
        def jinja_env(self) -> Any:
            env = super().jinja_env
            _memoize_compile(env)
            return env

        def _sync_git_index_executable_bit(self, dst_relpath: Path, src_mode: int) -> None:
            root = Path(self.subproject.local_abspath)
            if root not in _FILE_MODE_IGNORED:
                setting = gitrun.git("config", "--type=bool", "--get", "core.fileMode", cwd=root, check=False)
                _FILE_MODE_IGNORED[root] = setting.strip() == "false"
            if _FILE_MODE_IGNORED[root]:
                super()._sync_git_index_executable_bit(dst_relpath, src_mode)

    return Worker


_FILE_MODE_IGNORED: dict[Path, bool] = {}  # destination → core.fileMode is false there (this render)
_COMPILED: dict[tuple[object, ...], Any] = {}  # Jinja source (and what shapes its compiling) → code


def _memoize_compile(env: Any) -> None:
    """Compile each Jinja source once per process (a render compiles the path parts of ~140 files, often alike).

    The key holds every setting of the environment that shapes the compiled code
    (syntax, extensions, optimizer, autoescape, finalize, async); what the code
    does at run time (filters, globals, undefined) comes from the environment it runs in.
    So `update`'s renders of the old and the new template compile their common files once.
    """
    compile_once = env.compile
    shape = (
        type(env),
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
        tuple(sorted(env.extensions)),
        env.optimized,
        env.autoescape if isinstance(env.autoescape, bool) else id(env),
        env.finalize is not None,
        env.is_async,
        env.code_generator_class,
    )

    def compile_memo(
        source: Any, name: str | None = None, filename: str | None = None, raw: bool = False, defer_init: bool = False
    ) -> Any:
        if not isinstance(source, str):  # an already parsed template: nothing to key it by
            return compile_once(source, name, filename, raw, defer_init)
        # not keyed by filename: the same file of another copy of the template (old, new, clone) compiles
        # alike; Jinja 3 reports errors with the Template's own filename, not the code's
        key = (shape, source, name, raw, defer_init)
        if key not in _COMPILED:
            _COMPILED[key] = compile_once(source, name, filename, raw, defer_init)
        return _COMPILED[key]

    env.compile = compile_memo


@dataclass(frozen=True)
class Prerendered:
    """A finished render of ``source`` with ``data``; ``exclude``: its template's patterns (None: not to be reused)."""

    source: history.TemplateSource
    data: dict[str, object]
    folder: Path
    exclude: frozenset[str] | None
    used: list[Path] = field(default_factory=list)  # where Copier took it instead of rendering

    def serves(self, worker: Any) -> bool:
        """Whether Copier's ``worker`` would render exactly this, into an empty folder."""
        target = Path(worker.dst_path)
        return (
            self.exclude is not None
            and (str(worker.src_path), str(worker.vcs_ref)) == (self.source.path, self.source.ref)
            and not worker.pretend
            and {k: v for k, v in worker.data.items() if not str(k).startswith("_")} == self.data
            and set(worker.exclude) <= self.exclude
            and not (target.exists() and any(target.iterdir()))
        )


_PRERENDERED: list[Prerendered] = []


@contextmanager
def prerendered(renders: list[Prerendered]) -> Iterator[None]:
    """While the block runs, a Copier render that one of ``renders`` serves copies it instead of rendering again.

    `copier update` renders the old and the new template into empty folders, exactly as
    `stackstart update` has just done to compare them with the project.
    """
    _PRERENDERED[:] = renders
    try:
        yield
    finally:
        _PRERENDERED.clear()


def copier_render(source: str, ref: str | None, data: Mapping[str, object], target: Path) -> None:
    """`copier copy` of ``source`` (at git ``ref``, if given) with ``data``: no prompts, no tasks, one error type."""
    at = f" at {ref}" if ref else ""
    run_copier(
        "copy",
        f"copier failed to render the {data.get('framework', '')} template{at}",
        src_path=source,
        dst_path=target,
        data=dict(data),
        vcs_ref=ref,
        cleanup_on_error=False,
    )


def run_copier(action: str, failure: str, **settings: Any) -> None:
    """Copier's ``run_<action>`` with ``settings``: no prompts, no tasks, unsafe templates refused; one error type."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. copier's DirtyLocalWarning in a source checkout
            with copier_worker()(
                defaults=True, overwrite=True, quiet=True, unsafe=False, skip_tasks=True, **settings
            ) as worker:
                getattr(worker, f"run_{action}")()
    except StackstartError:
        raise
    except Exception as error:  # copier's own errors are many and not all share a base class
        raise ToolError.from_output(failure, str(error) or type(error).__name__) from error


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


def git_commit_all(project: Path, message: str) -> None:
    """``git init`` (branch main) and commit everything, with a fallback identity."""
    gitrun.git("init", "-q", "-b", "main", cwd=project)
    identity: dict[str, str] = {}
    configured = gitrun.git("config", "user.email", cwd=project, check=False).strip()
    if not configured and not os.environ.get("GIT_AUTHOR_EMAIL"):
        identity = {
            "GIT_AUTHOR_NAME": "stackstart",
            "GIT_AUTHOR_EMAIL": "stackstart@localhost",
            "GIT_COMMITTER_NAME": "stackstart",
            "GIT_COMMITTER_EMAIL": "stackstart@localhost",
        }
    gitrun.git("add", "-A", cwd=project)
    gitrun.git("commit", "-q", "--no-verify", "-m", message, cwd=project, env=identity)


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


def sweep_abandoned(folder: Path) -> list[str]:
    """Remove what interrupted runs left behind in ``folder`` and in $TMPDIR; say what.

    Only staging directories (and `--dry-run` scratch directories) whose
    process has died are removed: one whose run is still going on holds its
    lock and is left alone. A SIGKILL is the only way to leave one behind.
    """
    removed = scratch.sweep(folder, _STAGING) + scratch.sweep(scratch.system_tempdir(), _DRY_RUN)
    if not removed:
        return []
    names = ", ".join(str(path) for path in removed)
    return [f"removed {len(removed)} staging folder(s) left by an interrupted stackstart run: {names}"]


@contextmanager
def _staging(parent: Path, prefix: str) -> Iterator[scratch.Scratch]:
    """A fresh scratch directory of this process, holding every temporary file of the block; always removed."""
    try:
        work = scratch.Scratch.create(parent, prefix)
    except OSError as error:
        raise _unusable(parent, error) from error
    try:
        with scratch.temp_root(work.tmp):
            yield work
    finally:
        with interrupts.deferred():  # a second Ctrl-C must not cut the cleanup in half
            work.remove()


def _render_project(
    request: NewRequest, project: Path, source: history.TemplateSource | None = None, scratch_dir: Path | None = None
) -> None:
    source = source or request.source
    render(request.name, request.framework, request.options, project, source, request.copier_extra, scratch_dir)
    write_env(project, request.framework.secrets)


def _missing_ancestors(path: Path) -> list[Path]:
    """The ancestors of ``path`` (itself included) that do not exist yet, deepest first."""
    missing = []
    for candidate in [path, *path.parents]:
        if os.path.lexists(candidate):
            break
        missing.append(candidate)
    return missing


def create(request: NewRequest, *, dry_run: bool = False, shown_destination: str | None = None) -> NewResult:
    """Generate the project of ``request``; with ``dry_run`` only report what would be written."""
    dest = request.destination
    check_destination(dest)
    steps = next_steps(request, shown_destination or str(dest))
    if dry_run:
        with _staging(scratch.system_tempdir(), "stackstart-dry-run-") as work:
            # the template caches in HOME are left as they are: a dry run writes nothing outside its scratch folder
            source = request.source
            if source is None and shutil.which("git") is not None:
                source = history.private_source(work.path)
            _render_project(request, work.path / "project", source, work.path)
            files = tree.list_files(work.path / "project")
        return NewResult(request, files, steps, dry_run=True, notes=list(request.notes))

    created = _missing_ancestors(dest.parent)
    outcome: str | None = None
    try:
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise _unusable(dest.parent, error) from error
        with _staging(dest.parent, f".{dest.name}.stackstart-") as work:
            project = work.path / dest.name
            _render_project(request, project)
            if request.git:
                git_commit_all(project, f"Initial commit from stackstart {__version__} ({request.framework.title})")
            files = tree.list_files(project)
            with interrupts.deferred():  # the rename and what an interrupt then says go together
                check_destination(dest)  # someone may have created it meanwhile
                if dest.is_dir():
                    dest.rmdir()
                project.rename(dest)
                outcome = interrupts.set_outcome(f"interrupted, but {dest} had already been created completely")
    except BaseException:
        with interrupts.deferred():
            for folder in created:  # only the folders we made, and only while empty
                try:
                    folder.rmdir()
                except FileNotFoundError:
                    continue  # never made: mkdir failed below it
                except OSError:
                    break
        raise
    if outcome is not None:
        interrupts.set_outcome(outcome)  # what an interrupt means from now on is the caller's to say
    return NewResult(request, files, steps, committed=request.git, notes=list(request.notes))
