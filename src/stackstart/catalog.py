"""Frameworks and options as data: the single source of truth.

click choices, Copier data, option-conflict checks, `list`, `verify` and the
test matrix are all derived from the option model below and the framework
records of ``frameworks.toml``. Commands are written
exactly as a user types them inside a generated project; ``{package}``,
``{name}``, ``{namespace}`` and ``{email}`` are filled in by :func:`command`.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal

from stackstart.errors import UsageError

__all__ = [
    "CI_PROVIDERS",
    "DATABASES",
    "FRAMEWORKS",
    "OPTIONS",
    "SHARED_SECRETS",
    "SHIPPED",
    "VARIANTS",
    "Commands",
    "Framework",
    "OptionSpec",
    "Options",
    "all_names",
    "change_options",
    "combinations",
    "command",
    "get",
    "lookup",
    "resolve_options",
    "template_root",
    "variant_options",
]

DATABASES: tuple[str, ...] = ("none", "sqlite", "postgresql", "mysql")

# The frameworks whose template this release ships, pinned here rather than
# read from the template folders: every test tier takes its matrix from this
# list, and a unit test fails when a folder is missing or one is not listed, so
# a template that disappears fails the tests instead of silently leaving them.
SHIPPED: tuple[str, ...] = ("django", "flask", "express", "springboot")
CI_PROVIDERS: tuple[str, ...] = ("github", "none")

DbUrlFormat = Literal["url", "jdbc", "ado"]

# Secrets any template may ask for by leaving ``KEY=`` empty in its .env.example
# (e.g. the password of the compose database service, also written into the
# database URL as ``${DB_PASSWORD}``): name → format, as in ``Framework.secrets``.
SHARED_SECRETS: Mapping[str, str] = {"DB_PASSWORD": "password"}


@dataclass(frozen=True)
class Commands:
    """Shell commands run from the root of a generated project (POSIX sh)."""

    install: str
    lint: str
    test: str
    run: str  # must honour $PORT
    migrate: str
    create_admin: str  # reads the password from $ADMIN_PASSWORD


@dataclass(frozen=True)
class Framework:
    """Everything stackstart knows about one framework."""

    key: str
    title: str
    aliases: tuple[str, ...]
    language: str
    version: str
    runtime: str
    toolchain: tuple[str, ...]  # executables needed to build the output
    registry: str
    commands: Commands
    port: int
    db_env: str
    db_url_format: DbUrlFormat = "url"
    health_path: str = "/health"
    # env vars that `new` fills with a fresh random value in the git-ignored .env,
    # with the value's format: "token" (URL-safe), "hex", "password" (48 hex digits) or "laravel" (base64:…)
    secrets: Mapping[str, str] = field(default_factory=dict, hash=False)
    # a faster equivalent of commands.install used by `verify` when its tool is present
    fast_install: tuple[str, str] | None = None  # (tool, command)
    # names a project may not take because they would shadow a dependency
    reserved_names: frozenset[str] = field(default_factory=frozenset)
    # the lock file the first install writes, which the user should commit
    lockfile: str | None = None
    # extra build-tier checks run after the output's tests when it has a database: (name, command)
    checks: tuple[tuple[str, str], ...] = ()
    # the variables a production deployment sets, exactly as the output's README lists them
    # (debug off, allowed hosts, BEHIND_PROXY=true, …); verify boots the output with them and
    # runs the Dockerfile's HEALTHCHECK command against it (docs/contract.md)
    production_env: Mapping[str, str] = field(default_factory=dict, hash=False)
    # output files (fnmatch patterns, * spans folders) that are the framework's own templates
    # and may legitimately contain {{ }} / {% %}
    native_templates: tuple[str, ...] = ()

    @property
    def available(self) -> bool:
        """Whether this release ships a template for the framework (see SHIPPED)."""
        return self.key in SHIPPED


@dataclass(frozen=True)
class Options:
    """The resolved option set of one project (DESIGN.md §3)."""

    database: str = "sqlite"
    auth: bool = False
    admin: bool = False
    docker: bool = False
    ci: str = "github"

    @property
    def slug(self) -> str:
        """Readable id such as ``sqlite-auth-admin-docker-ci``: the first option's value, then what is on."""
        first, *rest = OPTIONS
        parts = [str(getattr(self, first.name))]
        parts += [spec.name for spec in rest if _is_on(getattr(self, spec.name))]
        return "-".join(parts)

    def as_data(self) -> dict[str, object]:
        """The Copier answers for these options."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class OptionSpec:
    """One option of the shared vocabulary."""

    name: str
    help: str
    choices: tuple[str, ...] | None  # None: an on/off flag
    default: str | bool
    requires: str | None = None  # another option that must be on (not "none"/False)

    @property
    def values(self) -> tuple[str | bool, ...]:
        """Every value the option can take."""
        return self.choices if self.choices is not None else (False, True)

    @property
    def off(self) -> str:
        """How a user turns the option off on the command line."""
        return f"--{self.name} none" if self.choices is not None else f"--no-{self.name}"


OPTIONS: tuple[OptionSpec, ...] = (
    OptionSpec("database", "database; the ORM and migrations come with any value but none", DATABASES, "sqlite"),
    OptionSpec("auth", "users, token login/logout, protected writes", None, False, requires="database"),
    OptionSpec("admin", "back-office CRUD behind login", None, False, requires="auth"),
    OptionSpec("docker", "Dockerfile, .dockerignore and compose.yaml", None, False),
    OptionSpec("ci", "CI workflow in the output", CI_PROVIDERS, "github"),
)

VARIANTS: Mapping[str, Options] = {
    "minimal": Options(database="none"),
    "api": Options(database="sqlite", auth=True),
    "full": Options(database="sqlite", auth=True, admin=True, docker=True, ci="github"),
}

# The records of FRAMEWORKS live in frameworks.toml beside this module (data, not code); the
# loader below refuses any key the dataclasses do not have, so a typo there fails at import.
_TUPLES = frozenset({"aliases", "toolchain", "native_templates", "fast_install"})
_COMMANDS = frozenset(f.name for f in fields(Commands))
_FIELDS = frozenset(f.name for f in fields(Framework)) - {"commands"}


def _framework(record: dict[str, Any], families: Mapping[str, Mapping[str, Any]]) -> Framework:
    record = dict(record)
    family = dict(families[record.pop("extends")]) if "extends" in record else {}
    commands = {k: family.pop(k) for k in _COMMANDS & family.keys()} | record.pop("commands")
    reserved = set(family.pop("reserved_names", ())) | set(record.pop("reserved_names", ()))
    values = family | record
    unknown = (values.keys() - _FIELDS) | (commands.keys() - _COMMANDS)
    if unknown:
        raise ValueError(f"frameworks.toml: unknown keys {sorted(unknown)} in {record.get('key')!r}")
    values = {k: tuple(v) if k in _TUPLES else v for k, v in values.items()}
    if "checks" in values:
        values["checks"] = tuple(tuple(check) for check in values["checks"])
    return Framework(**values, commands=Commands(**commands), reserved_names=frozenset(reserved))


def _load_frameworks() -> tuple[Framework, ...]:
    data = tomllib.loads(Path(__file__).with_name("frameworks.toml").read_text(encoding="utf-8"))
    return tuple(_framework(record, data.get("family", {})) for record in data["framework"])


FRAMEWORKS: tuple[Framework, ...] = _load_frameworks()

_BY_KEY: Mapping[str, Framework] = {f.key: f for f in FRAMEWORKS}
_BY_ALIAS: Mapping[str, Framework] = {a: f for f in FRAMEWORKS for a in (f.key, *f.aliases)}


def template_root() -> Path:
    """The Copier template root: inside the wheel, or the source checkout."""
    packaged = Path(__file__).resolve().parent / "_template"
    if (packaged / "copier.yml").is_file():
        return packaged
    return Path(__file__).resolve().parents[2]


def lookup(name: str) -> Framework | None:
    """The framework called ``name`` or one of its aliases (case-insensitive)."""
    return _BY_ALIAS.get(name.strip().lower())


def get(key: str) -> Framework:
    """The framework with this exact key (KeyError if unknown)."""
    return _BY_KEY[key]


def all_names() -> tuple[str, ...]:
    """Every key and alias, for help texts and shell completion."""
    return tuple(_BY_ALIAS)


def _is_on(value: object) -> bool:
    return value not in (None, False, "none")


def _flag(name: str) -> str:
    return f"--{name}"


def _spec(name: str) -> OptionSpec:
    return next(spec for spec in OPTIONS if spec.name == name)


def _needs(name: str, requirement: OptionSpec) -> UsageError:
    """``NAME needs --auth, but --no-auth was given`` (or, for a choice, which values would do)."""
    if requirement.choices is None:
        return UsageError(f"{name} needs {_flag(requirement.name)}, but {requirement.off} was given (drop one of them)")
    usable = [str(c) for c in requirement.choices if _is_on(c)]
    listed = ", ".join(usable[:-1]) + f" or {usable[-1]}" if len(usable) > 1 else usable[0]
    return UsageError(
        f"{name} needs a {requirement.name}, but {_flag(requirement.name)} is none "
        f"(choose {_flag(requirement.name)} {listed}, or drop {name.split()[0]})"
    )


def resolve_options(given: Mapping[str, object | None]) -> tuple[Options, list[str]]:
    """Turn explicit choices (``None`` = not given) into a valid :class:`Options`.

    Returns the options and notes about what was implied. Contradictions raise
    :class:`~stackstart.errors.UsageError`. Rules come from ``requires`` in
    :data:`OPTIONS`: an option that is on turns on an unset requirement (a flag
    is turned on; a choice takes its default), and a requirement explicitly off
    is an error.
    """
    values: dict[str, object | None] = {spec.name: given.get(spec.name) for spec in OPTIONS}
    # how each option came to be on, for error messages: "--admin" or "--admin (which turns on --auth)"
    origin: dict[str, str] = {spec.name: _flag(spec.name) for spec in OPTIONS}
    notes: list[str] = []
    # later options depend on earlier ones, so walk the chain from its end
    for spec in reversed(OPTIONS):
        if spec.requires is None or not _is_on(values[spec.name]):
            continue
        requirement = _spec(spec.requires)
        if values[requirement.name] is None:
            values[requirement.name] = requirement.default if requirement.choices is not None else True
            if requirement.choices is None:
                origin[requirement.name] = f"{origin[spec.name]} (which turns on {_flag(requirement.name)})"
                notes.append(f"{_flag(spec.name)} turns on {_flag(requirement.name)}")
        elif not _is_on(values[requirement.name]):
            raise _needs(origin[spec.name], requirement)
    for spec in OPTIONS:
        if values[spec.name] is None:
            required_off = spec.requires is not None and not _is_on(values[spec.requires])
            values[spec.name] = False if required_off else spec.default
        value = values[spec.name]
        if spec.choices is not None and value not in spec.choices:
            choices = ", ".join(spec.choices)
            raise UsageError(f"{_flag(spec.name)} must be one of {choices}, not {value!r}")
    return Options(**values), notes  # type: ignore[arg-type]


def change_options(current: Options, given: Mapping[str, object | None]) -> tuple[Options, list[str]]:
    """Apply option changes (``None`` = keep) to an existing project's options.

    Same rules as :func:`resolve_options`: an option turned on pulls in what
    it requires (``--admin`` turns on auth), and one turned off takes the
    options that depend on it along (``--no-auth`` turns admin off too).
    """
    explicit = {name: value for name, value in given.items() if value is not None}
    requested: dict[str, object | None] = {
        spec.name: explicit.get(spec.name, getattr(current, spec.name)) for spec in OPTIONS
    }
    notes: list[str] = []
    for spec in reversed(OPTIONS):  # requirements of what is on: let resolve_options imply them
        req = spec.requires
        if req and _is_on(requested[spec.name]) and req not in explicit and not _is_on(requested[req]):
            requested[req] = None
    for spec in OPTIONS:  # dependents of what was turned off
        req = spec.requires
        if (
            req
            and spec.name not in explicit
            and requested[spec.name] is not None  # None: about to be implied by what needs it
            and requested[req] is not None
            and not _is_on(requested[req])
        ):
            if _is_on(requested[spec.name]):
                notes.append(f"{_spec(req).off} turns off {_flag(spec.name)}")
            requested[spec.name] = False
    options, implied = resolve_options(requested)
    return options, implied + notes


def variant_options(variant: str, database: str | None = None) -> Options:
    """The options of a named verify variant, optionally on another database."""
    options = VARIANTS[variant]
    if database is not None and options.database != "none":
        options = replace(options, database=database)
    return options


def combinations() -> Iterator[Options]:
    """Every valid option set (each option on only when what it requires is on), in a stable order."""
    for values in itertools.product(*(spec.values for spec in OPTIONS)):
        chosen = dict(zip((spec.name for spec in OPTIONS), values, strict=True))
        if all(not spec.requires or not _is_on(chosen[spec.name]) or _is_on(chosen[spec.requires]) for spec in OPTIONS):
            yield Options(**chosen)  # type: ignore[arg-type]


_PLACEHOLDER = re.compile(r"\{(package|name|namespace|email)\}")


def command(framework: Framework, which: str, values: Mapping[str, str]) -> str:
    """A catalog command with ``{package}``-style placeholders filled from ``values``.

    Shell syntax such as ``${PORT:-8000}`` is left alone; a placeholder missing
    from ``values`` is written as ``<placeholder>`` (how `list` shows them).
    """
    template: str = getattr(framework.commands, which)
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), f"<{m.group(1)}>"), template)
