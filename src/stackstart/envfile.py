"""Bring a project's git-ignored ``.env`` along when an update changes ``.env.example``.

``new`` writes ``.env`` from ``.env.example`` (project_files.write_env): keys of the
framework's secrets and of catalog.SHARED_SECRETS left empty in the example get
fresh random values, and ``${KEY}`` in other values becomes that value. An
update compares the old and the new example:

- a key new in the example is appended (a secret gets a fresh value, ``${KEY}``
  is replaced as ``new`` does, with the project's own secret values);
- a value the user never changed (equal to what the old example gives with the
  project's secrets) follows the template's new value;
- a value the user changed is kept and reported; secrets are never replaced;
- every other line stays as it is, in its place; the file keeps mode 600.

Only key names are ever reported, never values (they hold passwords).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from stackstart import catalog, project_files

__all__ = ["EnvChanges", "merge_env"]

_REFERENCE = re.compile(r"\$\{(\w+)\}")


@dataclass
class EnvChanges:
    """Key names of ``.env`` that an update appended, updated, or kept although the template changed them."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, list[str]]:
        """The ``env`` member of ``update --json``."""
        return {"added": self.added, "updated": self.updated, "kept": self.kept}


def _pairs(lines: list[str]) -> dict[str, tuple[int, str]]:
    """First ``KEY=value`` of each key (comments skipped) → (line number, value)."""
    found: dict[str, tuple[int, str]] = {}
    for number, line in enumerate(lines):
        key, sep, value = line.partition("=")
        key = key.strip()
        if sep and key and not key.startswith("#") and key not in found:
            found[key] = (number, value)
    return found


def _fresh(example: str, secrets: Mapping[str, str]) -> dict[str, str]:
    """What `new` would write for this example: fresh secrets, by the same rules (project_files.write_env)."""
    with tempfile.TemporaryDirectory(prefix="stackstart-env-") as scratch:
        (Path(scratch) / ".env.example").write_text(example, encoding="utf-8")
        project_files.write_env(Path(scratch), secrets)
        text = (Path(scratch) / ".env").read_text(encoding="utf-8")
    return {key: value for key, (_, value) in _pairs(text.splitlines()).items()}


def merge_env(
    env_file: Path, old_example: str | None, new_example: str | None, secrets: Mapping[str, str]
) -> EnvChanges:
    """Update ``env_file`` in place for the move from ``old_example`` to ``new_example`` (see the module doc)."""
    changes = EnvChanges()
    if not env_file.is_file() or new_example is None or old_example == new_example:
        return changes
    text = env_file.read_text(encoding="utf-8")
    lines = text.splitlines()
    env = _pairs(lines)
    old, new = _pairs((old_example or "").splitlines()), _pairs(new_example.splitlines())
    kinds = {**catalog.SHARED_SECRETS, **secrets}
    generated = {}
    if any(key in kinds and key not in env and not value.strip() for key, (_, value) in new.items()):
        generated = _fresh(new_example, secrets)

    def values(example: dict[str, tuple[int, str]]) -> dict[str, str]:
        """Secrets as this example makes them: generated where it leaves them empty."""
        mine = {}
        for key, (_, value) in example.items():
            if key in kinds and not value.strip():
                mine[key] = env[key][1] if key in env else generated.get(key, "")
        return mine

    old_secrets, new_secrets = values(old), values(new)

    def resolve(value: str, mine: dict[str, str]) -> str:
        return _REFERENCE.sub(lambda m: mine.get(m.group(1), m.group(0)), value)

    appended: list[str] = []
    for key, (_, template_value) in new.items():
        wanted = new_secrets[key] if key in new_secrets else resolve(template_value, new_secrets)
        if key not in env:
            if key not in old:  # new in the template (a key the user deleted stays deleted)
                appended.append(f"{key}={wanted}")
                changes.added.append(key)
            continue
        if key in kinds:
            continue  # a secret is the project's own: never replaced
        number, current = env[key]
        before = resolve(old[key][1], old_secrets) if key in old else None
        if current == wanted or before == wanted:
            continue
        if current == before:
            lines[number] = f"{key}={wanted}"
            changes.updated.append(key)
        else:
            changes.kept.append(key)
    if changes.added or changes.updated:
        env_file.write_text("\n".join(lines + appended) + "\n", encoding="utf-8")
        env_file.chmod(0o600)
    return changes
