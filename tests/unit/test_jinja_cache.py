"""Compiled Jinja code is kept across runs in the user cache: a second run compiles nothing and renders the same."""

from __future__ import annotations

import marshal
from pathlib import Path

import jinja2
import pytest

from stackstart import catalog, copier_adapter, history, jinja_cache
from stackstart.catalog import Options

FULL = Options(database="postgresql", auth=True, admin=True, docker=True, ci="github")


def tree(project: Path) -> dict[str, bytes]:
    return {p.relative_to(project).as_posix(): p.read_bytes() for p in sorted(project.rglob("*")) if p.is_file()}


def stores() -> list[Path]:
    return sorted(history.cache_dir().glob("jinja-*.marshal"))


@pytest.fixture
def new_process(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """A first run: nothing compiled in memory nor in its own user cache; returns the sources Jinja compiles."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    fresh_memory(monkeypatch)
    compiled: list[str] = []
    real = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: object, *args: object, **kwargs: object) -> object:
        if isinstance(source, str):  # Copier also passes values that are not templates (it then takes a TypeError)
            compiled.append(source[:60])
        return real(self, source, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return compiled


def fresh_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a new process has compiled: nothing, and the store not read yet."""
    monkeypatch.setattr(jinja_cache, "_MEMORY", {})
    monkeypatch.setattr(jinja_cache, "_DISK", {})
    monkeypatch.setattr(jinja_cache, "_USED", set())
    monkeypatch.setattr(jinja_cache, "_STATE", {"loaded": False, "dirty": False})


def render(name: str, where: Path) -> Path:
    copier_adapter.render(name, catalog.get("django"), FULL, where / name)
    return where / name


def test_a_second_run_compiles_nothing_and_renders_the_same(
    tmp_path: Path, new_process: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = render("shop", tmp_path / "first")
    assert len(new_process) > 50, "a cold run compiles the template's files and path parts"
    assert len(stores()) == 1
    new_process.clear()
    fresh_memory(monkeypatch)
    second = render("shop", tmp_path / "second")
    assert new_process == []
    assert tree(first) == tree(second)


def test_a_store_that_cannot_be_read_is_replaced_whole(
    tmp_path: Path, new_process: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    render("warm", tmp_path / "warm")
    [store] = stores()
    expected = tree(tmp_path / "warm" / "warm")
    store.write_bytes(b"\x00not marshal")
    fresh_memory(monkeypatch)
    project = render("warm", tmp_path / "after")
    assert tree(project) == expected
    entries = marshal.loads(store.read_bytes())  # noqa: S302
    assert isinstance(entries, dict)
    assert len(entries) > 50
    assert [p.name for p in store.parent.iterdir() if p.name.startswith(".tmp-jinja-")] == []


def test_runs_merge_what_they_compiled(tmp_path: Path, new_process: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Two runs rendering different frameworks: the store ends up with both, neither run's entries lost."""
    render("shop", tmp_path / "django")
    [store] = stores()
    django_entries = set(marshal.loads(store.read_bytes()))  # noqa: S302
    fresh_memory(monkeypatch)
    copier_adapter.render("shop", catalog.get("express"), FULL, tmp_path / "express" / "shop")
    both = set(marshal.loads(store.read_bytes()))  # noqa: S302
    assert django_entries < both


def test_a_store_over_its_bound_keeps_only_what_the_last_run_used(
    tmp_path: Path, new_process: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    render("shop", tmp_path / "django")
    [store] = stores()
    django_entries = set(marshal.loads(store.read_bytes()))  # noqa: S302
    monkeypatch.setattr(jinja_cache, "_MAX_ENTRIES", len(django_entries))  # full: the next new entry overflows it
    fresh_memory(monkeypatch)
    copier_adapter.render("shop", catalog.get("express"), FULL, tmp_path / "express" / "shop")
    kept = set(marshal.loads(store.read_bytes()))  # noqa: S302
    assert kept == jinja_cache._USED
    assert not django_entries <= kept, "the entries only the earlier Django run used are dropped"
    assert len(kept) <= len(django_entries) * 2
