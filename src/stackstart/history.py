"""The template history store: every release's template root as a tagged git commit.

`copier update` needs the template as git history: the commit a project was
rendered from (its answers' ``_commit``) and the new one. stackstart keeps that
history in a git bundle so updates work offline and on any machine:

- Each release's template root (``copier.yml`` + ``templates/``) is one commit,
  tagged ``v<version>``, on one line of history. Commits are made with a fixed
  identity and date, so the same tree always gives the same commit.
- Past releases come from ``releases.bundle`` beside this module (appended to
  by ``python -m stackstart.history freeze`` at release time); the current
  template root is added on top as ``v<this version>``.
- The wheel carries the finished bundle (built by ``hatch_build.py``); a source
  checkout builds it on first use into the user cache, keyed by content.

Projects record the tag (``_commit: v0.1.0``), which every later bundle also
holds, and ``_src_path: ~/.local/share/stackstart/templates.bundle``: Copier
expands the ``~``, and every stackstart run first merges its own bundle into
that file, so the path is valid on any machine where stackstart has run
(plain `copier update` works there too).
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from stackstart import __version__, gitrun, scratch
from stackstart.errors import StackstartError, ToolError, UsageError

__all__ = [
    "STABLE_BUNDLE",
    "ReleaseFacts",
    "TemplateSource",
    "build_bundle",
    "cache_dir",
    "default_source",
    "extracted",
    "latest_tag",
    "private_source",
    "release_facts",
    "release_tag",
    "tag_version",
]

BUNDLE_NAME = "templates.bundle"
RELEASES = Path(__file__).resolve().parent / "releases.bundle"
_IDENTITY = {
    "GIT_AUTHOR_NAME": "stackstart",
    "GIT_AUTHOR_EMAIL": "stackstart@localhost",
    "GIT_COMMITTER_NAME": "stackstart",
    "GIT_COMMITTER_EMAIL": "stackstart@localhost",
    "GIT_AUTHOR_DATE": "2000-01-01T00:00:00+00:00",
    "GIT_COMMITTER_DATE": "2000-01-01T00:00:00+00:00",
}
_TAG = re.compile(r"v(\d+(?:\.\d+)*)(?:[-.+].*)?")


STABLE_BUNDLE = "~/.local/share/stackstart/templates.bundle"


@dataclass(frozen=True)
class TemplateSource:
    """Where Copier takes the template from (as Copier records it), and which tag is "this release"."""

    path: str
    ref: str

    @property
    def local_path(self) -> Path:
        """``path`` with ``~`` expanded."""
        return Path(self.path).expanduser()

    @property
    def version(self) -> tuple[int, ...]:
        """The release number of ``ref`` as a comparable tuple."""
        return tag_version(self.ref)


def release_tag(version: str = __version__) -> str:
    """The tag of a release: ``v0.1.0``."""
    return f"v{version}"


def tag_version(tag: str) -> tuple[int, ...]:
    """``v1.2.3`` (or ``v1.2.3-4-gabcdef`` from git describe) → ``(1, 2, 3)``; () when not a release tag."""
    match = _TAG.fullmatch(tag.strip())
    return tuple(int(part) for part in match.group(1).split(".")) if match else ()


def _tags(source: Path) -> dict[str, str]:
    """Tag → object id of a git repository or bundle (annotated tags: the tag object's id)."""
    return {tag: oid for tag, oid in _listing(source).items() if not tag.endswith("^{}")}


def _listing(source: Path) -> dict[str, str]:
    """`git ls-remote --tags` of a repository or bundle: ``tag`` → its object id, and for an annotated
    tag ``tag^{}`` → the commit it names. A bundle's is read once per process while it is unchanged."""
    if source.is_file():
        info = source.stat()
        key = (str(source.resolve()), info.st_ino, info.st_size, info.st_mtime_ns)
        if key not in _BUNDLE_TAGS:
            _BUNDLE_TAGS[key] = _ls_remote_tags(source)
        return dict(_BUNDLE_TAGS[key])
    return _ls_remote_tags(source)


_BUNDLE_TAGS: dict[tuple[str, int, int, int], dict[str, str]] = {}


def _ls_remote_tags(source: Path) -> dict[str, str]:
    listing = gitrun.git("ls-remote", "--tags", str(source))
    pairs = (line.split("\trefs/tags/", 1) for line in listing.splitlines() if "\trefs/tags/" in line)
    return {tag: oid for oid, tag in pairs}


_RELEASE = re.compile(r"v\d+(?:\.\d+)*")


@dataclass(frozen=True)
class ReleaseFacts:
    """What Copier's clone of a release tag tells about it, read from the tag listing instead.

    ``commit``: `git describe --tags --always` there (the tag itself: it is the only tag on its
    commit); ``commit_hash``: that commit; ``version``: PEP 440, as dunamai reads the tag (``v1.2`` → ``1.2``).
    """

    commit: str
    commit_hash: str
    version: str


def release_facts(source: TemplateSource) -> ReleaseFacts | None:
    """The facts of ``source.ref`` when it is a plain release tag (``v1``, ``v0.1.0``) and the only tag on its
    commit, so that they cannot differ from what Copier reads in its clone; otherwise None."""
    if not _RELEASE.fullmatch(source.ref) or not source.local_path.exists():
        return None
    listing = _listing(source.local_path)
    # tag → the commit it names (an annotated tag's peeled entry wins over the tag object's id)
    commits = {tag: listing.get(tag + "^{}", oid) for tag, oid in listing.items() if not tag.endswith("^{}")}
    commit = commits.get(source.ref)
    if commit is None or [tag for tag, named in commits.items() if named == commit] != [source.ref]:
        return None
    return ReleaseFacts(source.ref, commit, source.ref[1:])


def latest_tag(source: Path) -> str | None:
    """The highest ``v*`` release tag of a git repository or bundle."""
    tags = [t for t in _tags(source) if tag_version(t)]
    return max(tags, key=tag_version) if tags else None


def _template_files(root: Path) -> list[Path]:
    files = [root / "copier.yml"]
    files += sorted(p for p in (root / "templates").rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return [p for p in files if not p.name.endswith((".pyc", ".pyo"))]


def _digest(root: Path) -> str:
    sha = hashlib.sha256()
    for path in _template_files(root):
        sha.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return sha.hexdigest()[:16]


def _scratch_env(scratch: Path) -> dict[str, str]:
    """A bare scratch repository with its own index, and the fixed identity of release commits."""
    repo = scratch / "repo.git"
    if not repo.exists():
        gitrun.git("init", "-q", "--bare", str(repo))
    return {"GIT_DIR": str(repo), "GIT_INDEX_FILE": str(scratch / "index"), **_IDENTITY}


def _template_tree(env: dict[str, str], root: Path) -> str:
    """Write ``root``'s template (copier.yml + templates/) into the scratch repository; return its tree."""
    Path(env["GIT_INDEX_FILE"]).unlink(missing_ok=True)
    files = _template_files(root)
    blobs = gitrun.git("hash-object", "-w", "--stdin-paths", env=env, stdin="\n".join(str(p) for p in files)).split()
    entries = [
        f"{'100755' if os.access(path, os.X_OK) else '100644'} {blob}\t{path.relative_to(root).as_posix()}"
        for path, blob in zip(files, blobs, strict=True)
    ]
    gitrun.git("update-index", "--add", "--index-info", env=env, stdin="\n".join(entries) + "\n")
    return gitrun.git("write-tree", env=env).strip()


def _frozen(env: dict[str, str]) -> list[str]:
    """The release tags of the scratch repository, oldest first."""
    return sorted((t for t in gitrun.git("tag", "--list", "v*", env=env).split() if tag_version(t)), key=tag_version)


def build_bundle(out: Path, *, root: Path, version: str = __version__, past: Path | None = RELEASES) -> None:
    """Write a bundle holding the past releases plus ``root``'s template as ``v<version>``.

    A release in ``past`` is never rewritten: when ``past`` already holds
    ``v<version>`` it must hold exactly this template (then it is reused as is),
    and it must hold no release newer than ``version``.
    """
    tag = release_tag(version)
    with tempfile.TemporaryDirectory(prefix="stackstart-history-") as scratch:
        env = _scratch_env(Path(scratch))
        if past is not None and past.is_file():
            gitrun.git("fetch", "-q", str(past), "+refs/tags/*:refs/tags/*", env=env)
        frozen = _frozen(env)
        newer = [t for t in frozen if tag_version(t) > tag_version(tag)]
        if newer:
            raise ToolError(f"{past} holds {newer[-1]}, newer than {tag}: releases are recorded oldest first")
        tree = _template_tree(env, root)
        if tag in frozen:
            if gitrun.git("rev-parse", f"{tag}^{{tree}}", env=env).strip() != tree:
                raise ToolError(
                    f"the template differs from the released {tag} in {past}: a released template never changes; "
                    f"bump __version__ in src/stackstart/__init__.py"
                )
            commit = gitrun.git("rev-parse", f"{tag}^{{commit}}", env=env).strip()
        else:
            parent = ["-p", gitrun.git("rev-parse", f"{frozen[-1]}^{{commit}}", env=env).strip()] if frozen else []
            commit = gitrun.git("commit-tree", tree, *parent, "-m", f"stackstart {version} templates", env=env).strip()
            gitrun.git("tag", tag, commit, env=env)
        gitrun.git("update-ref", "refs/heads/main", commit, env=env)
        gitrun.git("symbolic-ref", "HEAD", "refs/heads/main", env=env)
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        gitrun.git("bundle", "create", "-q", str(partial), "--all", env=env)
        partial.replace(out)


def cache_dir() -> Path:
    """stackstart's folder in the user cache: ``$XDG_CACHE_HOME/stackstart`` or ``~/.cache/stackstart``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "stackstart"


def _remove_leftovers(folder: Path, *patterns: str) -> None:
    """Remove scratch files of earlier runs in ``folder``; call only while holding its lock."""
    for pattern in patterns:
        for path in folder.glob(pattern):
            if path.is_dir() and not path.is_symlink():
                scratch.remove_tree(path)
            else:
                path.unlink(missing_ok=True)


# what a killed run (of this or an older stackstart) may leave beside a bundle: never in the way, removed under the lock
_LEFTOVERS = (".tmp-*", "*.bundle.partial", "*.bundle.partial.lock", ".templates-*.bundle", ".templates-*.bundle.lock")


def _build_cached(bundle: Path, root: Path) -> None:
    """Build the cache bundle of a source checkout, once, whatever runs at the same time or was killed before.

    Builders take turns on the folder's lock (a killed holder releases it);
    each builds in its own scratch directory and renames the result into
    place, so the bundle is complete or absent, never half-written.
    """
    folder = bundle.parent
    folder.mkdir(parents=True, exist_ok=True)
    with scratch.locked(folder / scratch.LOCK_NAME):
        if bundle.is_file():  # built by another run while we waited
            return
        _remove_leftovers(folder, *_LEFTOVERS)
        work = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder))
        try:
            with scratch.temp_root(work / "tmp"):
                build_bundle(work / bundle.name, root=root)
            (work / bundle.name).replace(bundle)
        finally:
            scratch.remove_tree(work)


def _merge_into_stable(bundle: Path) -> None:
    """Make the machine-wide bundle hold every tag of ``bundle`` (its own tags win).

    Concurrent runs take turns on the folder's lock; the new bundle is built
    under a unique name and renamed into place. A machine-wide bundle that git
    cannot read (a crash of an older stackstart) is rebuilt, not a dead end.
    """
    stable = Path(STABLE_BUNDLE).expanduser()
    wanted = _tags(bundle)
    if stable.is_file() and _holds(stable, wanted):
        return
    stable.parent.mkdir(parents=True, exist_ok=True)
    with scratch.locked(stable.parent / scratch.LOCK_NAME):
        try:
            present = _tags(stable) if stable.is_file() else {}
        except StackstartError:
            present = {}
        if all(present.get(tag) == sha for tag, sha in wanted.items()):
            return
        _remove_leftovers(stable.parent, *_LEFTOVERS)
        work = Path(tempfile.mkdtemp(prefix=".tmp-", dir=stable.parent))
        try:
            env = {"GIT_DIR": str(work / "repo.git")}
            gitrun.git("init", "-q", "--bare", env["GIT_DIR"])
            if present:  # tags of other stackstart installations on this machine stay available
                gitrun.git("fetch", "-q", str(stable), "+refs/tags/*:refs/tags/*", env=env)
            gitrun.git(
                "fetch", "-q", str(bundle), "+refs/tags/*:refs/tags/*", "+refs/heads/main:refs/heads/main", env=env
            )
            gitrun.git("symbolic-ref", "HEAD", "refs/heads/main", env=env)
            gitrun.git("bundle", "create", "-q", str(work / BUNDLE_NAME), "--all", env=env)
            (work / BUNDLE_NAME).replace(stable)
        finally:
            scratch.remove_tree(work)


def _holds(stable: Path, wanted: dict[str, str]) -> bool:
    try:
        present = _tags(stable)
    except StackstartError:
        return False
    return all(present.get(tag) == sha for tag, sha in wanted.items())


def default_source() -> TemplateSource:
    """The template history of this installation, at this release's tag.

    ``$STACKSTART_TEMPLATE_SOURCE`` (a git repository or bundle; its highest
    ``v*`` tag is "this release") overrides it, for template development and tests.
    """
    override = _override()
    if override is not None:
        return override
    from stackstart.catalog import template_root

    root = template_root()
    bundle = root / BUNDLE_NAME
    if not bundle.is_file():  # a source checkout: build once per template content
        bundle = _cached_bundle(root)
        if not bundle.is_file():
            _build_cached(bundle, root)
    _merge_into_stable(bundle)
    return TemplateSource(STABLE_BUNDLE, release_tag())


def private_source(scratch: Path) -> TemplateSource:
    """The template :func:`default_source` gives, without writing anything outside ``scratch``.

    For ``new --dry-run``: the installation's bundle (or the cache bundle of a
    source checkout) is read where it is, and a source checkout whose cache
    bundle is not built yet gets a throwaway one in ``scratch``; neither the
    cache nor the machine-wide bundle is created or changed.
    """
    override = _override()
    if override is not None:
        return override
    from stackstart.catalog import template_root

    root = template_root()
    bundle = root / BUNDLE_NAME
    if not bundle.is_file():
        bundle = _cached_bundle(root)
        if not bundle.is_file():
            bundle = scratch / BUNDLE_NAME
            build_bundle(bundle, root=root)
    return TemplateSource(str(bundle), release_tag())


def extracted(source: TemplateSource, scratch_dir: Path | None = None) -> Path | None:
    """A plain folder holding ``source``'s template at its release tag, for Copier to render without git.

    Cached in the user cache by the tag's object id (so by content), built once
    under the cache lock and renamed into place whole; Copier only reads it.
    With ``scratch_dir`` (``new --dry-run``), a tree not cached yet is extracted
    there instead, so nothing is written outside it. None when ``source.ref``
    is not a release tag of ``source`` (then Copier clones it, as before).
    """
    if not tag_version(source.ref) or not source.local_path.exists():
        return None
    oid = _tags(source.local_path).get(source.ref)
    if oid is None:
        return None
    trees = cache_dir() / "trees"
    tree = trees / oid
    if tree.is_dir():  # renamed into place whole: complete
        return tree
    if scratch_dir is not None:
        return _checkout(source.local_path, source.ref, scratch_dir / "tree")
    with scratch.locked(trees / scratch.LOCK_NAME):
        if tree.is_dir():  # extracted by another run while we waited
            return tree
        _remove_leftovers(trees, ".tmp-*")
        work = Path(tempfile.mkdtemp(prefix=".tmp-", dir=trees))
        try:
            _checkout(source.local_path, source.ref, work / "tree").replace(tree)
        finally:
            scratch.remove_tree(work)
    return tree


def _checkout(repository: Path, ref: str, into: Path) -> Path:
    """``ref`` of a git repository or bundle, checked out as Copier's clone would (without .git)."""
    gitrun.git("clone", "-q", "--no-checkout", str(repository), str(into))
    gitrun.git("-c", "advice.detachedHead=false", "checkout", "-q", "-f", ref, cwd=into)
    scratch.remove_tree(into / ".git")
    return into


def _cached_bundle(root: Path) -> Path:
    return cache_dir() / f"templates-{__version__}-{_digest(root)}.bundle"


def _override() -> TemplateSource | None:
    """``$STACKSTART_TEMPLATE_SOURCE`` as a source (None when unset); only reads it."""
    override = os.environ.get("STACKSTART_TEMPLATE_SOURCE")
    if override:
        path = Path(override).expanduser().absolute()
        shown = f"STACKSTART_TEMPLATE_SOURCE={override}"
        if not path.exists():
            raise UsageError(f"{shown} does not exist (unset it, or point it at a git repository or bundle)")
        try:
            tag = latest_tag(path)
        except StackstartError as error:
            raise UsageError(
                f"{shown} is not a git repository or bundle git can read (unset it, or fix it)",
                error.detail or str(error),
            ) from error
        return TemplateSource(str(path), tag or "HEAD")
    return None


# --- release time -----------------------------------------------------------------------------------------

FREEZE_COMMAND = "PYTHONPATH=src python3 -m stackstart.history freeze"
_VERSION_LINE = re.compile(r'^__version__ = "([^"]+)"$', re.MULTILINE)


def checkout_version(root: Path) -> str:
    """The ``__version__`` written in the source checkout at ``root`` (not necessarily the one running)."""
    match = _VERSION_LINE.search((root / "src" / "stackstart" / "__init__.py").read_text(encoding="utf-8"))
    if match is None:
        raise UsageError(f"no __version__ line in {root / 'src' / 'stackstart' / '__init__.py'}")
    return match.group(1)


def releases_of(root: Path) -> Path:
    """The frozen history of the checkout at ``root``."""
    return root / "src" / "stackstart" / "releases.bundle"


def _repo_tags(root: Path) -> list[str]:
    """Release tags of the stackstart repository at ``root`` (none when it is not a git checkout)."""
    tags = gitrun.git("tag", "--list", "v*", cwd=root, check=False).split()
    return sorted((t for t in tags if tag_version(t)), key=tag_version)


def _extract_template(root: Path, ref: str, into: Path) -> Path:
    """The template of the repository at ``ref``, as a checkout would write it (.gitattributes applied)."""
    import tarfile

    archive = into.with_suffix(".tar")
    gitrun.git("-C", str(root), "archive", "--format=tar", "-o", str(archive), ref, "copier.yml", "templates")
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    archive.unlink()
    return into


def release_problems(root: Path, version: str | None = None, *, cutting: bool = False) -> list[str]:
    """What is wrong with the frozen history of the checkout at ``root`` (an empty list: nothing).

    - a release tagged in the repository (``git tag v*``) up to ``version`` is missing from releases.bundle
      (mistake A: a release was cut without freezing it), or holds another template than that tag;
    - releases.bundle holds ``v<version>`` with another template than the checkout's (mistake B: the
      template changed after the release and the version was not bumped);
    - releases.bundle holds a release newer than ``version``, or its releases are not one line of history.

    ``cutting``: ``v<version>`` is being frozen now, so its absence is no problem yet.
    """
    version = version or checkout_version(root)
    tag = release_tag(version)
    releases = releases_of(root)
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="stackstart-history-") as scratch:
        env = _scratch_env(Path(scratch))
        if releases.is_file():
            gitrun.git("fetch", "-q", str(releases), "+refs/tags/*:refs/tags/*", env=env)
        frozen = _frozen(env)
        if tag in frozen and gitrun.git("rev-parse", f"{tag}^{{tree}}", env=env).strip() != _template_tree(env, root):
            problems.append(
                f"the template differs from the released {tag} in releases.bundle: a released template never "
                f"changes; bump __version__ in src/stackstart/__init__.py"
            )
        problems += [
            f"releases.bundle holds {t}, newer than this version {version}"
            for t in frozen
            if tag_version(t) > tag_version(tag)
        ]
        for older, newer in itertools.pairwise(frozen):
            parents = gitrun.git("rev-list", "--parents", "-n", "1", newer, env=env).split()[1:]
            if parents != [gitrun.git("rev-parse", f"{older}^{{commit}}", env=env).strip()]:
                problems.append(f"releases.bundle: {newer} does not follow {older} (one line of history)")
        for released in _repo_tags(root):
            if tag_version(released) > tag_version(tag):
                continue
            if released not in frozen:
                if cutting and released == tag:
                    continue
                repair = f"{FREEZE_COMMAND} {released}" if released != tag else FREEZE_COMMAND
                problems.append(
                    f"release {released} is tagged in this repository but missing from releases.bundle "
                    f"(every machine would fail with Unknown revision {released!r}); record it: {repair}"
                )
                continue
            tagged = _template_tree(env, _extract_template(root, released, Path(scratch) / released))
            if gitrun.git("rev-parse", f"{released}^{{tree}}", env=env).strip() != tagged:
                problems.append(f"releases.bundle's {released} differs from the template at the git tag {released}")
    return problems


def _check_checkout(root: Path) -> None:
    if shutil.which("git") is None:
        raise UsageError("freeze needs git, which is not installed here")
    if (
        not (root / "copier.yml").is_file()
        or not (root / "templates").is_dir()
        or not (root / "pyproject.toml").is_file()
    ):
        raise UsageError(
            f"freeze runs in a stackstart source checkout, not in an installed copy ({Path(__file__).parent}): "
            f"cd into the git clone and run {FREEZE_COMMAND}"
        )
    if gitrun.toplevel(root) != root.resolve():
        raise UsageError(f"freeze runs at the root of a git clone of stackstart; {root} is not one")


def freeze(root: Path, tag: str | None = None) -> str:
    """Release step: record the template as ``v<version>`` in releases.bundle; return what was done.

    Without ``tag``: the checkout's template, committed, as its ``__version__``. With
    ``tag`` (a release tag of this repository, newer than every frozen release): the
    template of that tag, to repair a release that was cut without being frozen.
    Refuses (:class:`UsageError`) to re-record a frozen release with another template,
    an uncommitted template, and a release when an earlier tagged one is missing.
    """
    _check_checkout(root)
    releases = releases_of(root)
    if tag is not None:
        return _freeze_tag(root, tag, releases)
    version = checkout_version(root)
    dirty = gitrun.git("-C", str(root), "status", "--porcelain", "--", "copier.yml", "templates")
    if dirty:
        raise UsageError("the template has uncommitted changes: commit them first, then freeze (a release is a commit)")
    problems = release_problems(root, version, cutting=True)
    if problems:
        raise UsageError(problems[0])
    if release_tag(version) in _tags_of(releases):
        return f"releases.bundle already holds v{version} with this template; nothing to do"
    _record(releases, root, version)
    return f"releases.bundle now holds v{version}; commit src/stackstart/releases.bundle with the release"


def _tags_of(bundle: Path) -> dict[str, str]:
    return _tags(bundle) if bundle.is_file() else {}


def _record(releases: Path, root: Path, version: str) -> None:
    try:
        build_bundle(releases, root=root, version=version, past=releases)
    except ToolError as error:
        raise UsageError(str(error)) from error


def _freeze_tag(root: Path, tag: str, releases: Path) -> str:
    if not tag_version(tag) or tag not in _repo_tags(root):
        raise UsageError(f"{tag} is not a release tag of this repository (git tag --list 'v*')")
    if tag in _tags_of(releases):
        raise UsageError(f"releases.bundle already holds {tag}")
    with tempfile.TemporaryDirectory(prefix="stackstart-freeze-") as scratch:
        _record(releases, _extract_template(root, tag, Path(scratch) / "root"), tag[1:])
    return f"releases.bundle now holds {tag} (from the git tag); commit src/stackstart/releases.bundle"


def main(argv: list[str]) -> int:
    """``python -m stackstart.history freeze [TAG]`` (run from the checkout as ``PYTHONPATH=src …``)."""
    if not argv or argv[0] != "freeze" or len(argv) > 2:
        print(f"usage: {FREEZE_COMMAND} [TAG]", file=sys.stderr)
        return 2
    try:
        print(freeze(Path(__file__).resolve().parents[2], argv[1] if len(argv) > 1 else None))
    except StackstartError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
