"""The catalog is the single source of frameworks, options and commands."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import jinja2
import pytest
import yaml

from stackstart import catalog
from stackstart.catalog import Options
from stackstart.errors import UsageError
from tests.helpers import available_frameworks

ROOT = Path(__file__).resolve().parents[2]


def test_seven_frameworks_with_unique_names() -> None:
    keys = [f.key for f in catalog.FRAMEWORKS]
    assert keys == ["django", "flask", "express", "laravel", "rails", "springboot", "aspnet"]
    names = catalog.all_names()
    assert len(names) == len(set(names))
    for alias in ("spring", "spring-boot", "dotnet", "asp.net", "ror", "node"):
        assert catalog.lookup(alias) is not None, alias
    assert catalog.lookup("FLASK") == catalog.get("flask")
    assert catalog.lookup("nope") is None


@pytest.mark.parametrize("framework", catalog.FRAMEWORKS, ids=lambda f: f.key)
def test_every_framework_has_every_command(framework: catalog.Framework) -> None:
    for what in ("install", "lint", "test", "run", "migrate", "create_admin"):
        assert getattr(framework.commands, what).strip(), what
    assert "{email}" in framework.commands.create_admin
    assert framework.port > 0
    assert framework.db_env
    assert framework.toolchain


def test_command_fills_placeholders_but_not_shell_syntax() -> None:
    flask = catalog.get("flask")
    assert catalog.command(flask, "run", {"package": "shop"}) == (
        ".venv/bin/gunicorn --bind 127.0.0.1:${PORT:-8000} shop.wsgi:app"
    )
    assert catalog.command(flask, "create_admin", {}) == ".venv/bin/flask --app <package> create-admin <email>"


def test_combinations_are_the_valid_option_sets() -> None:
    combos = list(catalog.combinations())
    assert len(combos) == 40  # (1 without a database + 3 auth/admin states x 3 databases) x docker x ci
    assert len({c.slug for c in combos}) == 40
    for combo in combos:
        assert catalog.resolve_options(combo.as_data())[0] == combo


@pytest.mark.parametrize(
    ("given", "expected", "notes"),
    [
        ({}, Options(), []),
        ({"admin": True}, Options(auth=True, admin=True), ["--admin turns on --auth"]),
        ({"auth": True}, Options(auth=True), []),
        ({"database": "none"}, Options(database="none"), []),
        ({"database": "mysql", "docker": True, "ci": "none"}, Options(database="mysql", docker=True, ci="none"), []),
    ],
)
def test_resolve_options(given: dict[str, object], expected: Options, notes: list[str]) -> None:
    assert catalog.resolve_options(given) == (expected, notes)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"auth": True, "database": "none"}, "--auth needs a database, but --database is none"),
        ({"admin": True, "auth": False}, "--admin needs --auth, but --no-auth was given"),
        ({"admin": True, "database": "none"}, "--admin (which turns on --auth) needs a database"),
        ({"database": "oracle"}, "--database must be one of none, sqlite, postgresql, mysql"),
        ({"ci": "gitlab"}, "--ci must be one of github, none"),
    ],
)
def test_contradictions_are_usage_errors(given: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        catalog.resolve_options(given)


def test_variants() -> None:
    assert catalog.variant_options("minimal").database == "none"
    assert catalog.variant_options("api") == Options(auth=True)
    full = catalog.variant_options("full", "postgresql")
    assert full == Options(database="postgresql", auth=True, admin=True, docker=True, ci="github")
    assert catalog.variant_options("minimal", "postgresql").database == "none"


def test_copier_yml_agrees_with_the_catalog() -> None:
    questions = yaml.safe_load((ROOT / "copier.yml").read_text())
    assert questions["_subdirectory"] == "templates/{{ framework }}"
    assert questions["_envops"]["undefined"] == "jinja2.StrictUndefined"
    assert "_tasks" not in questions
    assert "_migrations" not in questions
    assert questions["framework"]["choices"] == [f.key for f in catalog.FRAMEWORKS]
    for spec in catalog.OPTIONS:  # copier.yml restates the option model for plain Copier: it must not drift
        question = questions[spec.name]
        assert question["default"] == spec.default, spec.name
        assert question["help"] == spec.help, spec.name
        if spec.choices:
            assert (question["type"], question["choices"]) == ("str", list(spec.choices)), spec.name
        else:
            assert question["type"] == "bool", spec.name
        required = next((s for s in catalog.OPTIONS if s.name == spec.requires), None)
        if required is None:
            assert "when" not in question, spec.name
        elif required.choices:
            assert question["when"] == f"{{{{ {required.name} != 'none' }}}}", spec.name
        else:
            assert question["when"] == f"{{{{ {required.name} }}}}", spec.name
    asked = [name for name, q in questions.items() if not name.startswith("_") and q.get("when") is not False]
    assert asked == ["project_name", "framework", *(s.name for s in catalog.OPTIONS), "java_package"]


def test_the_options_dataclass_is_the_option_model() -> None:
    assert [(f.name, f.default) for f in fields(Options)] == [(s.name, s.default) for s in catalog.OPTIONS]


def test_combinations_are_every_option_set_that_copier_would_ask_for() -> None:
    """Copier asks an option only when its `when:` holds and answers it False otherwise: the same sets."""
    questions = yaml.safe_load((ROOT / "copier.yml").read_text())
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)  # renders only True/False
    reachable = set()
    for values in itertools.product(*(spec.values for spec in catalog.OPTIONS)):
        answers = dict(zip([s.name for s in catalog.OPTIONS], values, strict=True))
        for spec in catalog.OPTIONS:
            when = questions[spec.name].get("when")
            if when is not None and env.from_string(when).render(answers) != "True":
                answers[spec.name] = False
        reachable.add(Options(**answers))  # type: ignore[arg-type]
    combos = list(catalog.combinations())
    assert len(combos) == len(set(combos)) == len(reachable) == 40
    assert set(combos) == reachable


def test_shipped_frameworks_are_exactly_the_template_folders() -> None:
    folders = {p.name for p in (catalog.template_root() / "templates").iterdir() if not p.name.startswith("_")}
    assert folders == set(catalog.SHIPPED)
    assert [f.key for f in catalog.FRAMEWORKS if f.available] == [f.key for f in catalog.FRAMEWORKS if f.key in folders]
    assert available_frameworks() == [f.key for f in catalog.FRAMEWORKS if f.key in catalog.SHIPPED]


@pytest.mark.parametrize(
    ("current", "given", "expected", "notes"),
    [
        (Options(), {"admin": True}, Options(auth=True, admin=True), ["--admin turns on --auth"]),
        (Options(auth=True, admin=True), {"auth": False}, Options(), ["--no-auth turns off --admin"]),
        (
            Options(auth=True, admin=True),
            {"database": "none"},
            Options(database="none"),
            ["--database none turns off --auth", "--no-auth turns off --admin"],
        ),
        (Options(database="none"), {"docker": True}, Options(database="none", docker=True), []),
        (Options(auth=True), {"database": "mysql"}, Options(database="mysql", auth=True), []),
        (Options(auth=True), {"auth": None, "ci": None}, Options(auth=True), []),
    ],
)
def test_change_options(current: Options, given: dict[str, object], expected: Options, notes: list[str]) -> None:
    assert catalog.change_options(current, given) == (expected, notes)


def test_change_options_refuses_what_new_refuses() -> None:
    with pytest.raises(UsageError, match=r"--admin \(which turns on --auth\) needs a database"):
        catalog.change_options(Options(database="none"), {"admin": True})
    with pytest.raises(UsageError, match="--admin needs --auth, but --no-auth was given"):
        catalog.change_options(Options(), {"admin": True, "auth": False})


@pytest.mark.parametrize("value", ["spring", "flask,Django", "laravel", "flask,,nope"])
def test_a_bad_stackstart_require_stops_the_test_run(tmp_path: Path, value: str) -> None:
    env = os.environ | {"STACKSTART_REQUIRE": value}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:xdist", "--collect-only", "tests/unit"],
        cwd=Path(__file__).parents[2],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 4, done.stdout + done.stderr  # pytest's usage error
    assert "STACKSTART_REQUIRE names" in done.stderr


def test_frameworks_toml_refuses_a_key_the_catalog_does_not_know() -> None:
    """A typo in the data file must fail every test at import, not quietly drop a setting."""
    record = {"key": "x", "lokfile": "x.lock", "commands": {}}
    with pytest.raises(ValueError, match=r"unknown keys \['lokfile'\] in 'x'"):
        catalog._framework(record, {})
    family = {"python": {"install": "pip install .", "reserved_names": ["pip"]}}
    flask = catalog.get("flask")
    record = {"extends": "python", "key": "y", "title": "Y", "aliases": [], "language": "python", "version": "1"}
    record |= {"runtime": "r", "toolchain": ["python"], "registry": "PyPI", "port": 1, "db_env": "D"}
    commands = {name: "c" for name in ("lint", "test", "run", "migrate", "create_admin")}
    record |= {"reserved_names": ["y"], "commands": commands}
    made = catalog._framework(record, family)
    assert made.commands.install == "pip install ."
    assert made.reserved_names == {"pip", "y"}
    assert flask.commands.install == catalog.get("django").commands.install  # the family's, shared
