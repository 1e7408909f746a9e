"""The Copier adapter: every render of stackstart goes through here.

:func:`render` renders a project from this release's template (an extracted copy
of the tagged tree, no clone per run) and records its source as Copier would;
:func:`run_copier` runs Copier's copy or update without prompts or tasks, with one
error type; :func:`copier_worker` is Copier's Worker minus the work that changes
nothing in what it writes; :func:`prerendered` lets `copier update` reuse the
renders `stackstart update` has just made.
"""

from __future__ import annotations

import functools
import importlib
import shutil
import sys
import types
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stackstart import catalog, gitrun, history, jinja_cache
from stackstart.catalog import Framework, Options
from stackstart.errors import StackstartError, ToolError
from stackstart.project_files import check_available, record_source

__all__ = ["Prerendered", "copier_render", "copier_worker", "prerendered", "render", "render_source", "run_copier"]


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
    render_source(source or history.default_source(), data, target, scratch_dir)


def render_source(
    source: history.TemplateSource, data: Mapping[str, object], target: Path, scratch_dir: Path | None = None
) -> Path | None:
    """Render ``source`` with ``data`` into ``target``; return the extracted template it rendered from.

    A release tag renders from its extracted copy (no clone, no git), and the answers then
    record ``source`` as Copier's own render of it would; any other ref is Copier's clone
    (None returned).
    """
    extracted = history.extracted(source, scratch_dir)
    if extracted is None:
        copier_render(source.path, source.ref, data, target)
    else:
        copier_render(str(extracted), None, data, target)
        record_source(target, source)
    if scratch_dir is None:  # with a scratch folder, nothing is written outside it
        jinja_cache.save()
    return extracted


@functools.cache
def copier_worker() -> Any:
    """``copier.Worker``, made to do less work that changes nothing in what it writes:

    - Copier's ``_sync_git_index_executable_bit`` runs ``git config core.fileMode``
      for every file it writes (and acts only when that is false); the answer
      cannot change during one render, so git is asked once per destination;
    - every Jinja source is compiled once, for the process and across runs (:mod:`stackstart.jinja_cache`);
    - a render that `stackstart update` has already made is copied (:func:`prerendered`), and the
      templates of `copier update` are read from the extracted copies those renders came from
      (:func:`_from_extracted`) instead of two clones of the history.
    """
    _import_copier()  # lazily: keeps `--help`, `list` and `doctor` fast
    import copier  # imported just now, without its prompt libraries

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
            jinja_cache.memoize_compile(env)
            return env

        @functools.cached_property
        def template(self) -> Any:
            return _from_extracted(super().template)

        @functools.cached_property
        def subproject(self) -> Any:
            subproject = super().subproject
            if subproject.template is not None:
                _from_extracted(subproject.template)
            return subproject

        @property
        def answers_relpath(self) -> Path:
            # Copier renders the answers file's name with the whole render context, for each of
            # the template's paths; a name without Jinja markup renders to itself
            path = str(self.answers_file or self.template.answers_relpath)
            env = self.jinja_env
            marks = (
                env.block_start_string,
                env.variable_start_string,
                env.comment_start_string,
                env.line_statement_prefix,
                env.line_comment_prefix,
            )
            if any(mark and mark in path for mark in marks):
                return super().answers_relpath
            return Path(path)

        def _sync_git_index_executable_bit(self, dst_relpath: Path, src_mode: int) -> None:
            root = Path(self.subproject.local_abspath)
            if root not in _FILE_MODE_IGNORED:
                setting = gitrun.git("config", "--type=bool", "--get", "core.fileMode", cwd=root, check=False)
                _FILE_MODE_IGNORED[root] = setting.strip() == "false"
            if _FILE_MODE_IGNORED[root]:
                super()._sync_git_index_executable_bit(dst_relpath, src_mode)

    return Worker


_FILE_MODE_IGNORED: dict[Path, bool] = {}  # destination → core.fileMode is false there (this render)


class _Choice:
    """questionary's ``Choice`` as Copier uses it without prompts: a title, a value (the title's text if
    None), and why it is disabled (questionary 2.1, ``questionary/prompts/common.py``)."""

    def __init__(
        self,
        title: Any,
        value: Any = None,
        disabled: str | None = None,
        checked: bool | None = False,
        shortcut_key: str | bool | None = True,
        description: str | None = None,
    ) -> None:
        self.title = title
        self.disabled = disabled
        self.checked = checked if checked is not None else False
        self.shortcut_key = shortcut_key
        self.description = description
        if value is not None:
            self.value = value
        elif isinstance(title, list):
            self.value = "".join(token[1] for token in title)
        else:
            self.value = title


def _pygments_lexer(lexer: str) -> Any:
    """A stand-in for ``PygmentsLexer(YamlLexer)`` (or ``JsonLexer``), the real one when it is called."""
    from prompt_toolkit.lexers import PygmentsLexer
    from pygments.lexers import data

    return PygmentsLexer(getattr(data, lexer))


def _forward(module: str, name: str) -> Any:
    """A stand-in for ``module.name`` that imports the real one when it is called (never, without prompts)."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__name__ = name
    return call


# What Copier imports at import time from its prompt libraries (questionary → prompt_toolkit, pygments):
# a third of `import copier`, and stackstart never lets Copier prompt (defaults, overwrite, no tasks).
_PROMPT_NAMES = {
    "questionary": {name: _forward("questionary", name) for name in ("confirm", "unsafe_prompt")},
    "questionary.prompts": {},
    "questionary.prompts.common": {"Choice": _Choice},
    "prompt_toolkit": {},
    "prompt_toolkit.lexers": {"PygmentsLexer": _pygments_lexer},
    "pygments": {},
    "pygments.lexers": {},
    "pygments.lexers.data": {"JsonLexer": "JsonLexer", "YamlLexer": "YamlLexer"},
}


def _import_copier() -> None:
    """``import copier``, without importing its prompt libraries when nothing has imported them yet.

    While Copier's modules are imported they find stand-ins for the names they take
    from questionary, prompt_toolkit and pygments (:data:`_PROMPT_NAMES`); the
    stand-ins are then taken out of ``sys.modules``, so any later import of those
    libraries gets the real ones. A Copier that takes another name from them is
    imported as it is.
    """
    if "copier" in sys.modules or any(name in sys.modules for name in _PROMPT_NAMES):
        return
    stand_ins = {}
    for name, attributes in _PROMPT_NAMES.items():
        module = types.ModuleType(name, "stackstart's stand-in while Copier is imported")
        module.__path__ = []
        module.__dict__.update(attributes)
        stand_ins[name] = module
    sys.modules.update(stand_ins)
    try:
        importlib.import_module("copier")
    except ImportError:  # another Copier: it is imported below with its real prompt libraries
        for name in [n for n in sys.modules if n == "copier" or n.startswith("copier.")]:
            del sys.modules[name]
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]
    importlib.import_module("copier")


@dataclass(frozen=True)
class Prerendered:
    """A finished render of ``source`` with ``data``; ``exclude``: its template's patterns (None: not to be reused).

    ``template``: the extracted copy of the release it was rendered from (None: Copier's clone);
    ``facts``: that release's :func:`history.release_facts` (None: Copier must read them in a clone).
    """

    source: history.TemplateSource
    data: dict[str, object]
    folder: Path
    exclude: frozenset[str] | None
    used: list[Path] = field(default_factory=list)  # where Copier took it instead of rendering
    template: Path | None = None
    facts: history.ReleaseFacts | None = None

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


def _from_extracted(template: Any) -> Any:
    """Give Copier's ``template`` the extracted copy of its release, if one of the renders came from it.

    Copier would clone the history to read the template and ask git for the commit
    and dunamai for the version; the copy holds the same tree (the tag's), and the
    render's :func:`history.release_facts` say what git and dunamai would (a render
    without them: Copier clones, as before).
    """
    source = history.TemplateSource(str(template.url), str(template.ref))
    render = next((r for r in _PRERENDERED if r.source == source and r.template and r.facts), None)
    if render is None or render.template is None or render.facts is None:
        return template
    from packaging.version import Version  # Copier's own dependency

    facts = render.facts
    template.__dict__.update(
        local_abspath=render.template.resolve(),
        commit=facts.commit,
        commit_hash=facts.commit_hash,
        version=Version(facts.version),
        git_index_modes={},  # none: the copy's files have the modes git checked out (as for `new`)
    )
    return template


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
