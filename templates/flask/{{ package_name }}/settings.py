"""Settings from environment variables, parsed and checked once at startup.

Each feature module may declare ``SETTINGS = {"NAME": (parser, default)}``;
create_app() reads them all into ``app.config`` (an unset or empty variable
means the default) before ``test_config`` is applied. A malformed value stops
the application with a ConfigError that names the variable.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

Parser = Callable[[str, str], Any]

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}
LOG_LEVELS = ("debug", "info", "warning", "error")


class ConfigError(RuntimeError):
    """The environment does not hold a setting the application needs."""


def text(_name: str, value: str) -> str:
    """Any string."""
    return value


def boolean(name: str, value: str) -> bool:
    """true/false (also 1/0, yes/no, on/off)."""
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}")


def positive_int(name: str, value: str) -> int:
    """A whole number of at least 1."""
    if not value.isdigit() or int(value) < 1:
        raise ConfigError(f"{name} must be a whole number of at least 1, not {value!r}")
    return int(value)


def comma_list(_name: str, value: str) -> list[str]:
    """Comma-separated values; blanks are dropped."""
    return [part.strip() for part in value.split(",") if part.strip()]


def log_level(name: str, value: str) -> str:
    """One of debug, info, warning, error (as the logging module spells it)."""
    if value.lower() not in LOG_LEVELS:
        choices = ", ".join(LOG_LEVELS)
        raise ConfigError(f"{name} must be one of {choices}, not {value!r}")
    return value.upper()


def from_environment(
    settings: Mapping[str, tuple[Parser, Any]],
    environ: Mapping[str, str] = os.environ,
) -> dict[str, Any]:
    """The value of every setting: parsed from the environment, else its default."""
    values = {}
    for name, (parse, default) in settings.items():
        raw = environ.get(name, "").strip()
        values[name] = parse(name, raw) if raw else default
    return values
