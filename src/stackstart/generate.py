"""`stackstart new`: validate → render into a temp dir → write secrets → git → rename.

A render never leaves a half-written project behind: everything happens in a
hidden staging directory beside the destination (``.NAME.stackstart-*``),
which is renamed into place only when it is complete, and removed on any
failure or interrupt. Copier's temporary files live inside it too (a clone of
the template, when it renders from git rather than from the extracted copy of
a release: see copier_adapter.render). The staging directory is locked by its process for as long as that
process lives, so after a SIGKILL the next run in that folder can tell it was
abandoned and remove it (:func:`sweep_abandoned`), and never touches the
staging directory of a run still going on.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import stat
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from stackstart import __version__, catalog, copier_adapter, history, interrupts, naming, project_files, scratch, tree
from stackstart.catalog import Framework, Options
from stackstart.errors import StackstartError, ToolError, UsageError

__all__ = [
    "NewRequest",
    "NewResult",
    "Step",
    "check_destination",
    "check_name",
    "check_output",
    "create",
    "next_steps",
    "prepare",
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
    project_files.check_available(framework)
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
    copier_adapter.render(
        request.name, request.framework, request.options, project, source, request.copier_extra, scratch_dir
    )
    project_files.write_env(project, request.framework.secrets)


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
                project_files.git_commit_all(
                    project, f"Initial commit from stackstart {__version__} ({request.framework.title})"
                )
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
