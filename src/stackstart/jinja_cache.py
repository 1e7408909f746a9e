"""Compiled Jinja code, kept for the process and in the user cache.

A render compiles every template file and every path part of ~140 files: about
half of `new`'s render time. The code Jinja makes of a source depends only on the
source and on the settings that shape compiling (syntax, extensions, optimizer,
autoescape, finalize, async), never on the data, so it is kept:

- for the process, in memory: `update`'s renders of the old and the new template
  compile their common files once;
- across runs, in one file of the user cache (``jinja-<versions>.marshal``), read
  once per run and replaced whole (never half-written) when a run compiled
  something new. The versions of Python, Jinja and Copier are in its name, so an
  upgrade starts a new file; a file that cannot be read is treated as empty.

Only sources compiled to code with a boolean ``autoescape`` are kept on disk;
anything else is kept for the process only.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
import tempfile
from pathlib import Path
from types import CodeType
from typing import Any

__all__ = ["memoize_compile", "save"]

_MEMORY: dict[object, Any] = {}  # key → compiled code (or raw source), for this process
_DISK: dict[str, CodeType] = {}  # digest → code, as read from the store plus what this process compiled
_USED: set[str] = set()  # digests this process took from the store or compiled
_STATE = {"loaded": False, "dirty": False}
_MAX_ENTRIES = 20_000  # a store over this holds only what the last run used (one release is ~2,000)


def _store() -> Path:
    import copier
    import jinja2

    from stackstart import history

    copier_version = getattr(copier, "__version__", "unknown")
    tag = sys.implementation.cache_tag or "python"
    return history.cache_dir() / f"jinja-{tag}-jinja{jinja2.__version__}-copier{copier_version}.marshal"


def _load() -> None:
    if _STATE["loaded"]:
        return
    _STATE["loaded"] = True
    _DISK.update(_read(_store()))


def _read(path: Path) -> dict[str, CodeType]:
    try:
        # the user's own cache, trusted as Python trusts its .pyc files there (Jinja's bytecode cache does the same)
        entries = marshal.loads(path.read_bytes())  # noqa: S302
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(entries, dict):
        return {}
    return {k: v for k, v in entries.items() if isinstance(k, str) and isinstance(v, CodeType)}


def save() -> None:
    """Write what this process compiled into the store, merged with what other runs wrote meanwhile.

    Written under a unique name and renamed into place, so a reader sees the old
    store or the new one; a store that cannot be written is left as it is (it only saves time).
    """
    if not _STATE["dirty"]:
        return
    store = _store()
    merged = {**_read(store), **_DISK}
    if len(merged) > _MAX_ENTRIES:
        merged = {digest: _DISK[digest] for digest in _USED if digest in _DISK}  # not a source that failed
    try:
        store.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=".tmp-jinja-", dir=store.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(marshal.dumps(merged))
            os.replace(name, store)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)
    except OSError:
        return
    _STATE["dirty"] = False


def _qualname(value: object) -> str:
    return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', repr(value))}"


def memoize_compile(env: Any) -> None:
    """Make ``env.compile`` compile each source once: per process, and across runs through the store.

    The key holds every setting of the environment that shapes the compiled code;
    what the code does at run time (filters, globals, undefined) comes from the
    environment it runs in. It is not keyed by filename: the same file of another
    copy of the template (old, new, clone) compiles alike, and Jinja 3 reports
    errors with the Template's own filename, not the code's.
    """
    compile_once = env.compile
    stable = isinstance(env.autoescape, bool)
    shape = (
        _qualname(type(env)),
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
        env.autoescape if stable else id(env),
        env.finalize is not None,
        env.is_async,
        _qualname(env.code_generator_class),
    )
    prefix = repr(shape).encode()

    def compile_memo(
        source: Any, name: str | None = None, filename: str | None = None, raw: bool = False, defer_init: bool = False
    ) -> Any:
        if not isinstance(source, str):  # an already parsed template: nothing to key it by
            return compile_once(source, name, filename, raw, defer_init)
        key = (shape, source, name, raw, defer_init)
        if key in _MEMORY:
            return _MEMORY[key]
        on_disk = stable and not raw
        digest = ""
        if on_disk:
            _load()
            parts = [prefix, source.encode(), repr((name, defer_init)).encode()]
            digest = hashlib.sha256(b"\0".join(parts)).hexdigest()
            _USED.add(digest)
            if digest in _DISK:
                _MEMORY[key] = _DISK[digest]
                return _MEMORY[key]
        code = compile_once(source, name, filename, raw, defer_init)
        _MEMORY[key] = code
        if on_disk and isinstance(code, CodeType):
            _DISK[digest] = code
            _STATE["dirty"] = True
        return code

    env.compile = compile_memo
