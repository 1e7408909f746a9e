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
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from stackstart import __version__, scratch
from stackstart.errors import StackstartError, UsageError

__all__ = [
    "STABLE_BUNDLE",
    "TemplateSource",
    "build_bundle",
    "default_source",
    "latest_tag",
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


def _git(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        from stackstart.errors import ToolError

        raise ToolError(f"git {args[0]} failed: {(done.stderr or done.stdout).strip()}")
    return done.stdout.strip()


def _tags(source: Path) -> dict[str, str]:
    listing = _git("ls-remote", "--tags", str(source))
    pairs = (line.split("\trefs/tags/", 1) for line in listing.splitlines() if "\trefs/tags/" in line)
    return {tag: sha for sha, tag in pairs if not tag.endswith("^{}")}


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


def build_bundle(out: Path, *, root: Path, version: str = __version__, past: Path | None = RELEASES) -> None:
    """Write a bundle holding the past releases plus ``root``'s template as ``v<version>``."""
    with tempfile.TemporaryDirectory(prefix="stackstart-history-") as scratch:
        repo = Path(scratch) / "repo.git"
        _git("init", "-q", "--bare", str(repo))
        env = {"GIT_DIR": str(repo), "GIT_INDEX_FILE": str(Path(scratch) / "index"), **_IDENTITY}
        parent: list[str] = []
        if past is not None and past.is_file():
            _git("fetch", "-q", str(past), "+refs/tags/*:refs/tags/*", env=env)
            if _has_tag(env, release_tag(version)):  # re-releasing: this version goes on top again
                _git("tag", "-d", release_tag(version), env=env)
            newest = latest_tag(repo)
            if newest is not None:
                parent = ["-p", _git("rev-parse", f"{newest}^{{commit}}", env=env)]
        for path in _template_files(root):
            rel = path.relative_to(root).as_posix()
            blob = _git("hash-object", "-w", str(path), env=env)
            mode = "100755" if os.access(path, os.X_OK) else "100644"
            _git("update-index", "--add", "--cacheinfo", f"{mode},{blob},{rel}", env=env)
        tree = _git("write-tree", env=env)
        commit = _git("commit-tree", tree, *parent, "-m", f"stackstart {version} templates", env=env)
        _git("update-ref", "refs/heads/main", commit, env=env)
        _git("symbolic-ref", "HEAD", "refs/heads/main", env=env)
        _git("tag", "-f", release_tag(version), commit, env=env)
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        _git("bundle", "create", "-q", str(partial), "--all", env=env)
        partial.replace(out)


def _has_tag(env: dict[str, str], tag: str) -> bool:
    return bool(_git("tag", "--list", tag, env=env))


def _cache_dir() -> Path:
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
            _git("init", "-q", "--bare", env["GIT_DIR"])
            if present:  # tags of other stackstart installations on this machine stay available
                _git("fetch", "-q", str(stable), "+refs/tags/*:refs/tags/*", env=env)
            _git("fetch", "-q", str(bundle), "+refs/tags/*:refs/tags/*", "+refs/heads/main:refs/heads/main", env=env)
            _git("symbolic-ref", "HEAD", "refs/heads/main", env=env)
            _git("bundle", "create", "-q", str(work / BUNDLE_NAME), "--all", env=env)
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
    from stackstart.catalog import template_root

    root = template_root()
    bundle = root / BUNDLE_NAME
    if not bundle.is_file():  # a source checkout: build once per template content
        bundle = _cache_dir() / f"templates-{__version__}-{_digest(root)}.bundle"
        if not bundle.is_file():
            _build_cached(bundle, root)
    _merge_into_stable(bundle)
    return TemplateSource(STABLE_BUNDLE, release_tag())


def freeze(root: Path, version: str = __version__) -> None:
    """Release step: record ``root``'s template as ``v<version>`` in releases.bundle (commit it)."""
    build_bundle(RELEASES, root=root, version=version)


if __name__ == "__main__":  # python -m stackstart.history freeze
    if sys.argv[1:] != ["freeze"]:
        sys.exit("usage: python -m stackstart.history freeze")
    if shutil.which("git") is None:
        sys.exit("git is needed")
    freeze(Path(__file__).resolve().parents[2])
    print(f"releases.bundle now holds {release_tag()}")
