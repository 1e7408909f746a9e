"""The one JSON envelope of every ``--json`` command (docs/json.md).

Every ``--json`` run prints exactly one JSON object on stdout::

    {"schema": 1, "stackstart": "0.1.0", "command": "new",
     "project": {"name": "shop", "path": "/abs/shop"} | null,
     "result": {...}}

and, when the run ends in an error, ``"error": {"message": ..., "exit_code": N}``
in place of ``"result"`` (the same one line is on stderr, the exit code is the
same as without ``--json``). Inside a result, ``options`` is always a mapping
of option name → value (``{"database": "sqlite", "auth": true, …}``).

``schema`` changes only when a key is removed or changes meaning; new keys may
appear in any release.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from stackstart import __version__, catalog, toolchains

__all__ = ["SCHEMA", "doctor_result", "dumps", "failure", "list_result", "result_of", "success"]

SCHEMA = 1


def _head(command: str | None, project: tuple[str, Path] | None) -> dict[str, object]:
    return {
        "schema": SCHEMA,
        "stackstart": __version__,
        "command": command,
        "project": None if project is None else {"name": project[0], "path": str(project[1])},
    }


def success(command: str, result: Mapping[str, object], project: tuple[str, Path] | None = None) -> dict[str, object]:
    """The document of a command that ran to its end (``result`` may still say "failed" or "conflicts")."""
    return {**_head(command, project), "result": dict(result)}


def failure(command: str | None, message: str, exit_code: int) -> dict[str, object]:
    """The document of a run that ended in an error: the error's one line and the exit code."""
    return {**_head(command, None), "error": {"message": message, "exit_code": exit_code}}


def dumps(document: Mapping[str, object]) -> str:
    """The document as printed: indented, one object."""
    return json.dumps(document, indent=2)


def result_of(document: Mapping[str, Any]) -> Mapping[str, Any]:
    """The ``result`` of a document another stackstart printed; its error message as a ValueError otherwise."""
    if document.get("schema") != SCHEMA:
        raise ValueError(f"not a stackstart --json document of schema {SCHEMA}")
    if "error" in document:
        raise ValueError(str(document["error"]["message"]))
    result: Mapping[str, Any] = document["result"]
    return result


def list_result() -> dict[str, object]:
    """`list`: the frameworks with their versions and commands, and the options with their choices.

    ``options`` holds the default value of each option (what ``new --defaults``
    uses); ``option_specs`` its choices, requirement and help.
    """
    frameworks = [
        {
            "key": fw.key,
            "title": fw.title,
            "aliases": list(fw.aliases),
            "language": fw.language,
            "version": fw.version,
            "runtime": fw.runtime,
            "registry": fw.registry,
            "toolchain": list(fw.toolchain),
            "available": fw.available,
            "port": fw.port,
            "database_env": fw.db_env,
            "commands": {
                what: catalog.command(fw, what, {})
                for what in ("install", "migrate", "test", "run", "create_admin", "lint")
            },
        }
        for fw in catalog.FRAMEWORKS
    ]
    return {
        "frameworks": frameworks,
        "options": {spec.name: spec.default for spec in catalog.OPTIONS},
        "option_specs": {
            spec.name: {
                "choices": list(spec.choices) if spec.choices else [False, True],
                "default": spec.default,
                "requires": spec.requires,
                "help": spec.help,
            }
            for spec in catalog.OPTIONS
        },
    }


def doctor_result(found: Mapping[str, toolchains.Found], buildable: Mapping[str, list[str]]) -> dict[str, object]:
    """`doctor`: each toolchain found (or not), and which frameworks can be built here."""
    return {
        "tools": {k: {"present": f.present, "path": f.path, "version": f.version} for k, f in found.items()},
        "frameworks": {k: {"buildable": not missing, "missing": missing} for k, missing in buildable.items()},
    }
