"""`stackstart update`: bring the installed release's template changes into a project.

A real 3-way merge by `copier update` (old render → the project → new render),
wrapped in what Copier leaves to us:

1. refuse before touching anything when the project is not a clean git checkout
   of a stackstart project, when the framework would change or the template
   would go backwards;
2. merge in a scratch clone of the project (``--shared``, so it costs no copy),
   never in the project itself; there, find every conflict (unmerged files,
   ``*.rej``), protect what Copier would lose silently (user-edited or
   user-added binaries, user-edited files the new template no longer renders,
   files the user deleted that the template changed: the template's version goes
   beside them as ``<file>.stackstart-new``), and bring ``.env`` along (envfile.py);
3. turn the clone's result into a list of file changes, where any path that holds
   a file of the user's that git does not track (untracked or ignored) becomes a
   conflict instead of being overwritten;
4. apply that list and the index all or nothing (transaction.py): an exception,
   Ctrl-C, SIGTERM or SIGHUP leaves the project byte for byte as it was, and the
   next update undoes the work of a SIGKILLed one.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stackstart import (
    catalog,
    copier_adapter,
    envfile,
    gitrun,
    history,
    interrupts,
    project_files,
    scratch,
    transaction,
    tree,
)
from stackstart.catalog import Framework, Options
from stackstart.errors import UsageError

__all__ = [
    "ANSWERS_FILE",
    "SIDECAR",
    "CheckResult",
    "Conflict",
    "UpdateResult",
    "check",
    "update",
]

ANSWERS_FILE = project_files.ANSWERS_FILE
SIDECAR = ".stackstart-new"
_SCRATCH = "stackstart-update-"
_SCRATCH_NAME = re.compile(re.escape(_SCRATCH) + r"[a-z0-9_]{8}")  # what Scratch.create makes of the prefix


@dataclass(frozen=True)
class Conflict:
    """A file that needs the user's decision."""

    path: str
    reason: str


@dataclass
class UpdateResult:
    """What the update changed (or, with ``dry_run``, would change)."""

    project: Path
    framework: Framework
    from_version: str
    to_version: str
    options: Options
    option_changes: dict[str, tuple[object, object]]
    dry_run: bool = False
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    conflicted: list[Conflict] = field(default_factory=list)
    deleted_by_you: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    env: envfile.EnvChanges = field(default_factory=envfile.EnvChanges)

    @property
    def up_to_date(self) -> bool:
        """Nothing to do: same version, same options."""
        return not (self.added or self.changed or self.removed or self.conflicted or self.env.added or self.env.updated)

    def as_json(self) -> dict[str, object]:
        """The ``result`` of the ``--json`` envelope (the project's name and path are in the envelope)."""
        return _versions(self.framework, self.from_version, self.to_version) | {
            "dry_run": self.dry_run,
            "options": self.options.as_data(),
            "option_changes": {k: {"from": a, "to": b} for k, (a, b) in self.option_changes.items()},
            "added": self.added,
            "changed": self.changed,
            "removed": self.removed,
            "conflicted": [{"path": c.path, "reason": c.reason} for c in self.conflicted],
            "deleted_by_you": self.deleted_by_you,
            "env": self.env.as_json(),
            "notes": self.notes,
        }


@dataclass(frozen=True)
class CheckResult:
    """`update --check`: which template the project has, and which this stackstart brings."""

    project: Path
    framework: Framework
    from_version: str
    to_version: str

    @property
    def update_available(self) -> bool:
        """The installed release is newer than the project's template."""
        return history.tag_version(self.to_version) > history.tag_version(self.from_version)

    def as_json(self) -> dict[str, object]:
        """The ``result`` of the ``--check --json`` envelope."""
        return _versions(self.framework, self.from_version, self.to_version) | {
            "update_available": self.update_available
        }


def _versions(framework: Framework, from_version: str, to_version: str) -> dict[str, object]:
    """The keys every update document starts with: which framework, from which release to which."""
    return {"framework": framework.key, "from": from_version, "to": to_version}


# --- git -----------------------------------------------------------------------------------------------------


# --- refusals --------------------------------------------------------------------------------------------------


def _read_answers(project: Path, text: str | None = None) -> tuple[dict[str, Any], Framework, Options]:
    answers, framework, options = project_files.read_answers(
        project, text, require=("_commit", "_src_path", "project_name", "framework")
    )
    if not history.tag_version(str(answers["_commit"])):
        raise UsageError(f"{project / ANSWERS_FILE} has _commit {answers['_commit']!r}, not a stackstart release tag")
    return answers, framework, options


def _check_answers_file(project: Path) -> None:
    if not project.is_dir():
        raise UsageError(f"{project} is not a directory")
    if not (project / ANSWERS_FILE).is_file():
        raise UsageError(f"{project} is not a stackstart project (no {ANSWERS_FILE}); run update inside one")


def _locate(project: Path) -> Path:
    """Refusals that need no template; returns the project's git directory."""
    _check_answers_file(project)
    if shutil.which("git") is None:
        raise UsageError(
            "update needs git, which is not installed here (install git, then run stackstart update again)"
        )
    if gitrun.toplevel(project) != project.resolve():
        raise UsageError(
            f"{project} is not the root of a git repository; update needs the project's history "
            "(git init && git add -A && git commit -m 'Initial commit')"
        )
    return Path(gitrun.git("rev-parse", "--absolute-git-dir", cwd=project).strip())


def _check_project(project: Path, git_dir: Path) -> tuple[dict[str, Any], Framework, Options]:
    """Every refusal that needs no template: no commit, a git command running, dirty, answers broken."""
    if gitrun.git("rev-parse", "--verify", "--quiet", "HEAD", check=False, cwd=project).strip() == "":
        raise UsageError(f"{project} has no commit yet; commit the project first")
    lock = git_dir / "index.lock"
    if lock.exists():
        raise UsageError(
            f"{lock} exists: another git command is running in {project.name}, or one was killed; "
            "if none is running, delete that file, then run stackstart update again"
        )
    if gitrun.git("status", "--porcelain", "--untracked-files=all", cwd=project).strip():
        raise UsageError(f"{project} has uncommitted changes; commit or stash them, then update")
    answers, framework, options = _read_answers(project)
    first = gitrun.git("log", "--reverse", "--format=%H", "--", ANSWERS_FILE, cwd=project).split()
    if first:
        _, original, _ = _read_answers(project, gitrun.git("show", f"{first[0]}:{ANSWERS_FILE}", cwd=project))
        if original != framework:
            raise UsageError(
                f"{ANSWERS_FILE} changes the framework from {original.key} to {framework.key}; "
                "stackstart cannot turn one framework into another (generate a new project instead)"
            )
    return answers, framework, options


@contextlib.contextmanager
def _one_at_a_time(git_dir: Path, project: Path) -> Iterator[None]:
    """An exclusive lock on the git directory, released by the kernel whenever the process ends."""
    descriptor = os.open(git_dir, os.O_RDONLY)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(f"another stackstart update is running in {project}; wait for it to finish") from None
        yield
    finally:
        os.close(descriptor)


def _journal_of(project: Path) -> bool:
    dot_git = project / ".git"
    return dot_git.is_dir() and transaction.interrupted(dot_git)


# --- --check -------------------------------------------------------------------------------------------------


def _target_ref() -> str:
    """The release tag this stackstart updates to (``$STACKSTART_TEMPLATE_SOURCE``'s newest, for development)."""
    override = os.environ.get("STACKSTART_TEMPLATE_SOURCE")
    if override:
        return history.latest_tag(Path(override).expanduser().absolute()) or "HEAD"
    return history.release_tag()


def check(project: Path) -> CheckResult:
    """`update --check`: read the project's template version; touch nothing, render nothing."""
    project = project.absolute()
    _check_answers_file(project)
    if _journal_of(project):
        raise UsageError(f"an update of {project.name} was interrupted; run stackstart update to restore it first")
    answers, framework, _ = _read_answers(project)
    result = CheckResult(project, framework, str(answers["_commit"]), _target_ref())
    if history.tag_version(result.from_version) > history.tag_version(result.to_version):
        raise UsageError(
            f"{project.name} was made with template {result.from_version}, newer than this stackstart's "
            f"{result.to_version}; upgrade stackstart first"
        )
    return result


# --- update --------------------------------------------------------------------------------------------------


def update(
    project: Path,
    given: Mapping[str, object | None] | None = None,
    *,
    framework: str | None = None,
    conflict: str = "inline",
    dry_run: bool = False,
    source: history.TemplateSource | None = None,
) -> UpdateResult:
    """Merge the template of ``source`` (default: this release) into ``project``.

    ``given`` holds option changes (``None`` = keep), validated like `new`.
    With ``dry_run`` the merge runs in a throwaway clone and the project is not touched.
    """
    project = project.absolute()
    git_dir = _locate(project)
    with _one_at_a_time(git_dir, project):
        interrupts.set_outcome(f"interrupted: {project.name} is exactly as it was before the update")
        return _update(project, git_dir, given or {}, framework, conflict, dry_run, source)


def _update(
    project: Path,
    git_dir: Path,
    given: Mapping[str, object | None],
    framework: str | None,
    conflict: str,
    dry_run: bool,
    source: history.TemplateSource | None,
) -> UpdateResult:
    restored = False
    if transaction.interrupted(git_dir):
        if dry_run:
            raise UsageError(
                f"an update of {project.name} was interrupted; run stackstart update (without --dry-run) to restore "
                "it first"
            )
        head = gitrun.git("rev-parse", "--verify", "--quiet", "HEAD", check=False, cwd=project).strip()
        with interrupts.deferred():
            transaction.recover(project, git_dir, head)
        restored = True
    transaction.discard_draft(git_dir)
    scratch.sweep(scratch.system_tempdir(), _SCRATCH_NAME)  # what killed updates left
    answers, fw, current = _check_project(project, git_dir)
    if framework is not None and project_files.find_framework(framework) != fw:
        raise UsageError(f"this is a {fw.title} project; update cannot change the framework (generate a new project)")
    options, notes = catalog.change_options(current, given)
    if restored:
        notes.insert(
            0, f"an earlier update of {project.name} was interrupted; restored the project as it was before it"
        )
    merged = current.as_data()
    changes = {
        name: (merged[name], getattr(options, name)) for name in merged if merged[name] != getattr(options, name)
    }
    source = source or history.default_source()
    from_version, to_version = str(answers["_commit"]), source.ref
    if history.tag_version(from_version) > source.version:
        raise UsageError(
            f"{project.name} was made with template {from_version}, newer than this stackstart's {to_version}; "
            "upgrade stackstart first"
        )
    result = UpdateResult(project, fw, from_version, to_version, options, changes, dry_run=dry_run, notes=notes)
    if history.tag_version(from_version) == source.version and not changes:
        return result  # already up to date
    project_files.check_answers_spelling(project, fw)  # Copier reads the file itself from here on
    work = scratch.Scratch.create(scratch.system_tempdir(), _SCRATCH)
    try:
        with scratch.temp_root(work.tmp):  # Copier's own temporary folders go in there too
            head = gitrun.git("rev-parse", "HEAD", cwd=project).strip()
            plan, index = _merge_in_clone(project, git_dir, head, work.path, answers, options, source, conflict, result)
            transaction.pause("merged")
            if not dry_run:
                finished = f"interrupted after the update of {project.name} was complete (see git status)"
                transaction.apply(project, git_dir, head, plan, index, finished)
    finally:
        with interrupts.deferred():
            work.remove()
    return result


def _merge_in_clone(
    project: Path,
    git_dir: Path,
    head: str,
    folder: Path,
    answers: Mapping[str, Any],
    options: Options,
    source: history.TemplateSource,
    conflict: str,
    result: UpdateResult,
) -> tuple[list[transaction.Change], bytes | None]:
    """Run the whole merge in a clone; return the project's file changes and its new index."""
    clone = folder / "clone"
    gitrun.git("clone", "-q", "--shared", "--no-checkout", str(project), str(clone), cwd=project)
    gitrun.git("checkout", "-q", "--detach", head, cwd=clone)
    exclude = Path(gitrun.git("rev-parse", "--git-path", "info/exclude", cwd=project).strip())
    if not exclude.is_absolute():
        exclude = project / exclude
    if exclude.is_file():  # the same ignore rules as the project (core.excludesFile is global anyway)
        (clone / ".git" / "info").mkdir(exist_ok=True)
        shutil.copyfile(exclude, clone / ".git" / "info" / "exclude")
    tracked = _head_tree(project)
    old, new, renders = _renders(answers, options, source, folder)
    # Files git does not track but the merge must see as the user has them: .env, and template files
    # the project's .gitignore ignores (Copier updates those in place, so must we).
    carried = [
        name
        for name in sorted({".env"} | set(old) | set(new))
        if name not in tracked and (project / name).is_file() and not (project / name).is_symlink()
    ]
    for name in carried:
        (clone / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(project / name, clone / name)
    with copier_adapter.prerendered(renders):
        _merge(clone, answers, options, source, conflict, old, new, result)
    example = ".env.example"
    result.env = envfile.merge_env(
        clone / ".env",
        old[example].decode() if example in old else None,
        new[example].decode() if example in new else None,
        result.framework.secrets,
    )
    result.notes += [
        f"kept your {key} in .env; the template's value changed (see .env.example)" for key in result.env.kept
    ]
    plan = _plan(project, clone, tracked)
    plan = _guard(project, plan, tracked, old, [".env"] if ".env" in carried else [], result)
    return plan, _new_index(project, clone, git_dir, folder)


def _renders(
    answers: Mapping[str, Any], options: Options, source: history.TemplateSource, folder: Path
) -> tuple[dict[str, bytes], dict[str, bytes], list[copier_adapter.Prerendered]]:
    """The project as the old template rendered it, and as the new one renders it with the new options.

    Also those renders, for `copier update` to take instead of rendering both again.
    """
    new_answers = {**{k: v for k, v in answers.items() if not k.startswith("_")}, **options.as_data()}
    old_source = history.TemplateSource(str(answers["_src_path"]), str(answers["_commit"]))
    renders = [_render(old_source, answers, folder / "old"), _render(source, new_answers, folder / "new")]
    return _files(renders[0].folder), _files(renders[1].folder), renders


def _render(source: history.TemplateSource, answers: Mapping[str, Any], target: Path) -> copier_adapter.Prerendered:
    """Render ``source``: from its extracted copy (no clone, no git) when its ref is a release tag."""
    data = {k: v for k, v in answers.items() if not k.startswith("_")}
    extracted = copier_adapter.render_source(source, data, target)
    if extracted is None:  # Copier renders it itself (exclude None: never reused)
        return copier_adapter.Prerendered(source, data, target, None)
    facts = history.release_facts(source)
    return copier_adapter.Prerendered(source, data, target, _excludes(extracted), template=extracted, facts=facts)


def _excludes(template: Path) -> frozenset[str]:
    """The ``_exclude`` patterns of a template's copier.yml (none when it has none: then Copier's defaults)."""
    import yaml  # copier's own dependency

    config = template / "copier.yml"
    loaded = yaml.safe_load(config.read_text(encoding="utf-8")) if config.is_file() else None
    patterns = loaded.get("_exclude") if isinstance(loaded, dict) else None
    return frozenset(str(p) for p in patterns) if isinstance(patterns, list) else frozenset()


def _files(root: Path) -> dict[str, bytes]:
    return {name: (root / name).read_bytes() for name in tree.list_files(root) if (root / name).is_file()}


def _is_binary(content: bytes) -> bool:
    return b"\0" in content[:8192]


def _committed(project: Path) -> dict[str, bytes]:
    names = gitrun.git("ls-files", "-z", cwd=project).split("\0")
    return {name: (project / name).read_bytes() for name in names if name and (project / name).is_file()}


def _merge(
    project: Path,
    answers: Mapping[str, Any],
    options: Options,
    source: history.TemplateSource,
    conflict: str,
    old: dict[str, bytes],
    new: dict[str, bytes],
    result: UpdateResult,
) -> None:
    """`copier update` in ``project`` (the scratch clone), then the protections and the lists of the result."""
    before = _committed(project)
    copier_adapter.run_copier(
        "update",
        "copier update failed",
        dst_path=project,
        data=options.as_data(),
        answers_file=Path(ANSWERS_FILE),
        vcs_ref=source.ref,
        conflict=conflict,
        skip_answered=True,
    )
    _protect(project, before, old, new, result)
    _collect(project, result)


def _sidecar(project: Path, name: str, content: bytes) -> str:
    target = project / (name + SIDECAR)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    return name + SIDECAR


def _protect(
    project: Path, before: dict[str, bytes], old: dict[str, bytes], new: dict[str, bytes], result: UpdateResult
) -> None:
    """Put back what Copier would lose silently, and say so."""
    for name, mine in before.items():
        if name in old and mine == old[name]:
            continue  # a template file the user never edited
        target = project / name
        if name in old and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(mine)
            result.conflicted.append(Conflict(name, "edited by you, no longer in the template: kept your version"))
        elif (name in old or name in new) and _is_binary(mine) and target.is_file() and target.read_bytes() != mine:
            sidecar = _sidecar(project, name, target.read_bytes())
            target.write_bytes(mine)
            how = "edited by you" if name in old else "added by you"
            result.conflicted.append(
                Conflict(name, f"binary file {how} and changed by the template: template version in {sidecar}")
            )
    for name in sorted(set(old) - set(before)):
        if (project / name).exists():
            continue  # not deleted: a template file the project's .gitignore ignores
        result.deleted_by_you.append(name)
        if name in new and new[name] != old[name] and not (project / name).exists():
            sidecar = _sidecar(project, name, new[name])
            result.conflicted.append(
                Conflict(name, f"deleted by you, changed by the template: template version in {sidecar}")
            )


def _collect(project: Path, result: UpdateResult) -> None:
    """Sort the working-tree changes into added/changed/removed/conflicted."""
    known = {c.path for c in result.conflicted} | {c.path + SIDECAR for c in result.conflicted}
    unmerged = {
        line.split("\t", 1)[1] for line in gitrun.git("ls-files", "-u", cwd=project).splitlines() if "\t" in line
    }
    for line in gitrun.git("status", "--porcelain", "--untracked-files=all", "-z", cwd=project).split("\0"):
        if not line:
            continue
        code, name = line[:2], line[3:]
        if name in known:
            continue
        if name in unmerged or "U" in code or code in ("AA", "DD"):
            result.conflicted.append(Conflict(name, "changed by you and by the template: conflict markers inline"))
        elif name.endswith(".rej"):
            result.conflicted.append(Conflict(name[: -len(".rej")], f"changed by you and by the template: see {name}"))
        elif _has_markers(project / name):
            result.conflicted.append(Conflict(name, "changed by you and by the template: conflict markers inline"))
        elif code.strip() in ("??", "A"):
            result.added.append(name)
        elif "D" in code:
            result.removed.append(name)
        else:
            result.changed.append(name)
    _tidy(result)


def _tidy(result: UpdateResult) -> None:
    """Each path in one list only: a conflicted file is not also "changed" (``--conflict rej``)."""
    conflicted = {c.path for c in result.conflicted}
    for bucket in (result.added, result.changed, result.removed):
        bucket[:] = sorted(name for name in set(bucket) if name not in conflicted)
    result.conflicted.sort(key=lambda c: c.path)


def _has_markers(path: Path) -> bool:
    if not path.is_file():
        return False
    text = path.read_bytes()
    return b"\n<<<<<<< " in b"\n" + text and b"\n>>>>>>> " in text


# --- from the clone's result to the project's changes -------------------------------------------------------


def _head_tree(project: Path) -> dict[str, tuple[str, str]]:
    """Every path of HEAD → (git mode, object id)."""
    listing = gitrun.git("ls-tree", "-r", "-z", "--full-tree", "HEAD", cwd=project)
    tree = {}
    for item in listing.split("\0"):
        if item:
            meta, path = item.split("\t", 1)
            mode, _, oid = meta.split()
            tree[path] = (mode, oid)
    return tree


def _oid(project: Path) -> Any:
    """A hasher for git blob ids in this repository's object format."""
    algorithm = gitrun.git("rev-parse", "--show-object-format", check=False, cwd=project).strip() or "sha1"

    def blob_id(content: bytes) -> str:
        return hashlib.new(algorithm, b"blob %d\0" % len(content) + content).hexdigest()

    return blob_id


def _plan(project: Path, clone: Path, tracked: dict[str, tuple[str, str]]) -> list[transaction.Change]:
    """The clone's work tree, as changes to the project: what differs from HEAD (or, untracked, from the disk)."""
    blob_id = _oid(project)
    plan, seen = [], set()
    for rel in tree.list_files(clone):
        path = clone / rel
        seen.add(rel)
        if path.is_symlink():
            change = transaction.Change(rel, os.readlink(path).encode(), 0o777, link=True)
            mode = "120000"
        else:
            st_mode = path.stat().st_mode & 0o7777
            change = transaction.Change(rel, path.read_bytes(), st_mode)
            mode = "100755" if st_mode & 0o100 else "100644"
        if rel in tracked:
            if tracked[rel] == (mode, blob_id(change.content or b"")):
                continue
        elif _same(project / rel, change):
            continue
        plan.append(change)
    plan += [
        transaction.Change(rel, None) for rel, (mode, _) in tracked.items() if rel not in seen and mode != "160000"
    ]
    return plan


def _same(path: Path, change: transaction.Change) -> bool:
    if change.link:
        return path.is_symlink() and os.readlink(path).encode() == change.content
    if path.is_symlink() or not path.is_file():
        return False
    return path.read_bytes() == change.content and (path.stat().st_mode & 0o7777) == change.mode


def _obstacle(
    project: Path, change: transaction.Change, tracked: Mapping[str, object], deleting: set[str], old: dict[str, bytes]
) -> tuple[bool, str] | None:
    """Why writing ``change`` would destroy something of the user's that git does not hold, or None.

    ``(True, why)``: the path holds the user's own file or folder (a sidecar can go beside it);
    ``(False, why)``: a folder on the way is a symlink or a file (nothing can be written there).
    """
    parts = change.path.split("/")
    for depth in range(1, len(parts)):
        folder = "/".join(parts[:depth])
        here = project / folder
        if here.is_symlink():
            return False, f"{folder} is a symbolic link in your project: the template's file was not written"
        if here.exists() and not here.is_dir() and not (folder in tracked and folder in deleting):
            return False, f"{folder} is a file of yours: the template's file was not written"
    target = project / change.path
    if change.path in tracked or not (target.exists() or target.is_symlink()):
        return None
    if target.is_dir() and not target.is_symlink():
        return True, "a folder of yours (not in git) is there"
    if _same(target, change) or (not target.is_symlink() and old.get(change.path) == target.read_bytes()):
        return None  # the same bytes, or the template's own file the user never changed
    return True, "your file there is not in git"


def _guard(
    project: Path,
    plan: list[transaction.Change],
    tracked: Mapping[str, object],
    old: dict[str, bytes],
    carried: list[str],
    result: UpdateResult,
) -> list[transaction.Change]:
    """Turn every write over an untracked or ignored user file into a conflict with a sidecar."""
    deleting = {c.path for c in plan if c.content is None}
    safe: list[transaction.Change] = []
    for change in plan:
        obstacle = (
            None
            if change.content is None or change.path in carried
            else _obstacle(project, change, tracked, deleting, old)
        )
        if obstacle is None:
            safe.append(change)
            continue
        beside, why = obstacle
        reason = why
        if beside:
            sidecar = transaction.Change(change.path + SIDECAR, change.content, change.mode, change.link)
            if _obstacle(project, sidecar, tracked, deleting, old) is None:
                safe.append(sidecar)
                reason = f"{why}: kept it; the template's version is in {sidecar.path}"
            else:
                reason = f"{why}: kept it; the template's version was not written"
        result.conflicted = [c for c in result.conflicted if c.path != change.path]
        result.conflicted.append(Conflict(change.path, reason))
    _tidy(result)
    return safe


def _new_index(project: Path, clone: Path, git_dir: Path, folder: Path) -> bytes | None:
    """The project's index with the clone's differences (conflict stages), or None when nothing differs."""

    def entries(repo: Path) -> dict[tuple[str, str], tuple[str, str]]:
        found = {}
        for item in gitrun.git("ls-files", "-s", "-z", cwd=repo).split("\0"):
            if item:
                meta, path = item.split("\t", 1)
                mode, oid, stage = meta.split()
                found[(path, stage)] = (mode, oid)
        return found

    mine, theirs = entries(project), entries(clone)
    paths = sorted({path for key in set(mine) | set(theirs) if mine.get(key) != theirs.get(key) for path in [key[0]]})
    if not paths:
        return None
    zero = "0" * len(next(iter((mine | theirs).values()))[1])
    lines = []
    for path in paths:
        lines.append(f"0 {zero}\t{path}")
        for (name, stage), (mode, oid) in sorted(theirs.items()):
            if name == path:
                if not gitrun.succeeds("cat-file", "-e", oid, cwd=project):
                    blob = gitrun.git_bytes("cat-file", "blob", oid, cwd=clone)
                    gitrun.git_bytes("hash-object", "-w", "--no-filters", "--stdin", cwd=project, stdin=blob)
                lines.append(f"{mode} {oid} {stage}\t{path}")
    index = folder / "index"
    if (git_dir / "index").is_file():
        shutil.copyfile(git_dir / "index", index)
    gitrun.git(
        "update-index",
        "-z",
        "--index-info",
        cwd=project,
        env={"GIT_INDEX_FILE": str(index)},
        stdin="\0".join(lines) + "\0",
    )
    return index.read_bytes()
