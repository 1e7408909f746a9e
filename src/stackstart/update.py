"""`stackstart update`: bring the installed release's template changes into a project.

A real 3-way merge by `copier update` (old render → the project → new render),
wrapped in the checks Copier leaves to us: refuse before touching anything
when the project is not a clean git checkout of a stackstart project, when
the framework would change or the template would go backwards; afterwards,
find every conflict ourselves (unmerged files, ``*.rej``), and protect what
Copier would lose silently: user-edited binary files, and user-edited files the
new template no longer renders. Their template versions are written beside
them as ``<file>.stackstart-new``.
"""

from __future__ import annotations

import subprocess
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stackstart import catalog, generate, history
from stackstart.catalog import Framework, Options
from stackstart.errors import StackstartError, ToolError, UsageError

__all__ = ["ANSWERS_FILE", "SIDECAR", "Conflict", "UpdateResult", "update"]

ANSWERS_FILE = generate.ANSWERS_FILE
SIDECAR = ".stackstart-new"


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

    @property
    def up_to_date(self) -> bool:
        """Nothing to do: same version, same options."""
        return not (self.added or self.changed or self.removed or self.conflicted)

    def as_json(self) -> dict[str, object]:
        """The ``--json`` document."""
        return {
            "project": str(self.project),
            "framework": self.framework.key,
            "from": self.from_version,
            "to": self.to_version,
            "dry_run": self.dry_run,
            "options": self.options.as_data(),
            "option_changes": {k: {"from": a, "to": b} for k, (a, b) in self.option_changes.items()},
            "added": self.added,
            "changed": self.changed,
            "removed": self.removed,
            "conflicted": [{"path": c.path, "reason": c.reason} for c in self.conflicted],
            "deleted_by_you": self.deleted_by_you,
            "notes": self.notes,
        }


def _git(project: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(["git", *args], cwd=project, capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise ToolError(f"git {args[0]} failed in {project}: {(done.stderr or done.stdout).strip()}")
    return done.stdout


def _read_answers(project: Path, text: str | None = None) -> tuple[dict[str, Any], Options]:
    answers, options = generate.read_answers(
        project, text, require=("_commit", "_src_path", "project_name", "framework")
    )
    if not history.tag_version(str(answers["_commit"])):
        raise UsageError(f"{project / ANSWERS_FILE} has _commit {answers['_commit']!r}, not a stackstart release tag")
    return answers, options


def _check_project(project: Path) -> tuple[dict[str, Any], Options]:
    """Every refusal that needs no template: not a project, not git, dirty, answers broken."""
    if not project.is_dir():
        raise UsageError(f"{project} is not a directory")
    if not (project / ANSWERS_FILE).is_file():
        raise UsageError(f"{project} is not a stackstart project (no {ANSWERS_FILE}); run update inside one")
    top = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"], cwd=project, capture_output=True, text=True, check=False
    )
    if top.returncode != 0 or Path(top.stdout.strip()).resolve() != project.resolve():
        raise UsageError(
            f"{project} is not the root of a git repository; update needs the project's history "
            "(git init && git add -A && git commit -m 'Initial commit')"
        )
    if _git(project, "rev-parse", "--verify", "--quiet", "HEAD", check=False).strip() == "":
        raise UsageError(f"{project} has no commit yet; commit the project first")
    if _git(project, "status", "--porcelain", "--untracked-files=all").strip():
        raise UsageError(f"{project} has uncommitted changes; commit or stash them, then update")
    answers, options = _read_answers(project)
    first = _git(project, "log", "--reverse", "--format=%H", "--", ANSWERS_FILE).split()
    if first:
        original, _ = _read_answers(project, _git(project, "show", f"{first[0]}:{ANSWERS_FILE}"))
        if original["framework"] != answers["framework"]:
            raise UsageError(
                f"{ANSWERS_FILE} changes the framework from {original['framework']} to {answers['framework']}; "
                "stackstart cannot turn one framework into another (generate a new project instead)"
            )
    return answers, options


def _render(source: str, ref: str, answers: Mapping[str, Any], target: Path) -> None:
    generate.copier_render(source, ref, {k: v for k, v in answers.items() if not k.startswith("_")}, target)


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def _is_binary(content: bytes) -> bool:
    return b"\0" in content[:8192]


def _committed(project: Path) -> dict[str, bytes]:
    names = _git(project, "ls-files", "-z").split("\0")
    return {name: (project / name).read_bytes() for name in names if name and (project / name).is_file()}


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
    answers, current = _check_project(project)
    fw = catalog.get(str(answers["framework"]))
    if framework is not None and (catalog.lookup(framework) or fw) != fw:
        raise UsageError(f"this is a {fw.title} project; update cannot change the framework (generate a new project)")
    options, notes = catalog.change_options(current, given or {})
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
    if dry_run:
        with tempfile.TemporaryDirectory(prefix="stackstart-update-dry-run-") as scratch:
            clone = Path(scratch) / project.name
            _git(project, "clone", "-q", "--no-hardlinks", str(project), str(clone))
            _merge(clone, answers, options, source, conflict, result)
        return result
    _merge(project, answers, options, source, conflict, result)
    return result


def _merge(
    project: Path,
    answers: Mapping[str, Any],
    options: Options,
    source: history.TemplateSource,
    conflict: str,
    result: UpdateResult,
) -> None:
    import copier

    new_answers = {**{k: v for k, v in answers.items() if not k.startswith("_")}, **options.as_data()}
    before = _committed(project)
    with tempfile.TemporaryDirectory(prefix="stackstart-update-") as scratch:
        old_dir, new_dir = Path(scratch) / "old", Path(scratch) / "new"
        try:
            _render(str(answers["_src_path"]), str(answers["_commit"]), answers, old_dir)
            _render(source.path, source.ref, new_answers, new_dir)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                copier.run_update(
                    project,
                    data=options.as_data(),
                    answers_file=ANSWERS_FILE,
                    vcs_ref=source.ref,
                    defaults=True,
                    overwrite=True,
                    quiet=True,
                    conflict=conflict,  # type: ignore[arg-type]
                    skip_tasks=True,
                    unsafe=False,
                    skip_answered=True,
                )
        except StackstartError:
            raise
        except Exception as error:
            raise ToolError(f"copier update failed: {error}") from error
        old, new = _files(old_dir), _files(new_dir)
    _protect(project, before, old, new, result)
    _collect(project, result)


def _protect(
    project: Path, before: dict[str, bytes], old: dict[str, bytes], new: dict[str, bytes], result: UpdateResult
) -> None:
    """Put back what Copier would lose silently, and say so."""
    for name, mine in before.items():
        if name not in old or mine == old[name]:
            continue  # not a template file, or not edited by the user
        target = project / name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(mine)
            result.conflicted.append(Conflict(name, "edited by you, no longer in the template: kept your version"))
        elif _is_binary(mine) and target.read_bytes() != mine:
            (project / (name + SIDECAR)).write_bytes(target.read_bytes())
            target.write_bytes(mine)
            result.conflicted.append(
                Conflict(
                    name, f"binary file edited by you and changed by the template: template version in {name}{SIDECAR}"
                )
            )
    for name in sorted(set(old) - set(before)):
        result.deleted_by_you.append(name)
        if name in new and new[name] != old[name] and not (project / name).exists():
            (project / (name + SIDECAR)).write_bytes(new[name])
            result.conflicted.append(
                Conflict(name, f"deleted by you, changed by the template: template version in {name}{SIDECAR}")
            )


def _collect(project: Path, result: UpdateResult) -> None:
    """Sort the working-tree changes into added/changed/removed/conflicted."""
    known = {c.path for c in result.conflicted} | {c.path + SIDECAR for c in result.conflicted}
    unmerged = {line.split("\t", 1)[1] for line in _git(project, "ls-files", "-u").splitlines() if "\t" in line}
    for line in _git(project, "status", "--porcelain", "--untracked-files=all", "-z").split("\0"):
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
    result.conflicted.sort(key=lambda c: c.path)
    for bucket in (result.added, result.changed, result.removed):
        bucket.sort()


def _has_markers(path: Path) -> bool:
    if not path.is_file():
        return False
    text = path.read_bytes()
    return b"\n<<<<<<< " in b"\n" + text and b"\n>>>>>>> " in text
