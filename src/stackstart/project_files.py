"""A generated project on disk: its answers file, its `.env`, its first commit; the framework lookup.

What `new` writes into a project besides Copier's render, and what `update` and
`verify` read back from one. :func:`find_framework` is the one way a name (from
``--framework`` or from an answers file) becomes a catalog record.
"""

from __future__ import annotations

import base64
import difflib
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from stackstart import __version__, catalog, gitrun, history
from stackstart.catalog import Framework, Options
from stackstart.errors import UsageError, quote

__all__ = [
    "ANSWERS_FILE",
    "check_answers_spelling",
    "check_available",
    "find_framework",
    "git_commit_all",
    "read_answers",
    "record_source",
    "write_env",
]


def find_framework(name: str) -> Framework:
    """The framework called ``name`` (or an alias), or a one-line error with the choices."""
    framework = catalog.lookup(name)
    if framework is not None:
        return framework
    close = difflib.get_close_matches(name.lower(), catalog.all_names(), n=1)
    hint = f'did you mean "{close[0]}"? ' if close else ""
    choices = ", ".join(f.key for f in catalog.FRAMEWORKS)
    raise UsageError(f"unknown framework {quote(name)} ({hint}choose from {choices})")


def check_available(framework: Framework) -> None:
    """Refuse a framework whose template this release does not ship."""
    if not framework.available:
        available = ", ".join(f.key for f in catalog.FRAMEWORKS if f.available) or "none"
        raise UsageError(
            f"the {framework.title} template is not available in stackstart {__version__} yet "
            f"(available now: {available})"
        )


ANSWERS_FILE = ".copier-answers.yml"


def read_answers(
    project: Path, text: str | None = None, require: tuple[str, ...] = ("project_name", "framework")
) -> tuple[dict[str, Any], Framework, Options]:
    """The answers file of a generated project (or ``text`` of an older version of it), its framework and options.

    The framework is looked up like ``--framework`` (:func:`find_framework`:
    an alias or another case is fine), and the returned answers name it by its
    catalog key, so no caller looks it up again. Anything that is not a usable
    answers file is a one-line :class:`UsageError`.
    """
    import yaml  # copier's own dependency

    where = project / ANSWERS_FILE
    problem = f"{where} is not a valid stackstart answers file: it"
    try:
        answers = yaml.safe_load(text if text is not None else where.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise UsageError(f"{problem} is not UTF-8 text (restore it with git checkout)") from error
    except OSError as error:
        raise UsageError(f"cannot read {where}: {(error.strerror or str(error)).lower()}") from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        raise UsageError(f"{problem} is not valid YAML{line} (restore it with git checkout)") from error
    if not isinstance(answers, dict):
        raise UsageError(f"{problem} holds no answers (restore it with git checkout)")
    missing = [key for key in require if not answers.get(key)]
    if missing:
        raise UsageError(f"{problem} lacks {', '.join(missing)} (restore it with git checkout)")
    try:
        framework = find_framework(str(answers["framework"]))
    except UsageError as error:
        raise UsageError(
            f"{problem} names an unknown framework {answers['framework']!r} (restore it with git checkout)"
        ) from error
    answers["framework"] = framework.key
    try:
        options, _ = catalog.resolve_options({spec.name: answers.get(spec.name) for spec in catalog.OPTIONS})
    except UsageError as error:
        raise UsageError(f"{problem} has a bad option: {error} (restore it with git checkout)") from error
    return answers, framework, options


def check_answers_spelling(project: Path, framework: Framework) -> None:
    """Refuse an answers file that names ``framework`` otherwise than by its key, where Copier will read it.

    stackstart reads ``framework: FLASK`` or an alias (:func:`read_answers`);
    Copier's update replays the file as written and accepts only the key.
    """
    import yaml

    written = yaml.safe_load((project / ANSWERS_FILE).read_text(encoding="utf-8")).get("framework")
    if written != framework.key:
        raise UsageError(
            f"{project / ANSWERS_FILE} names the framework {quote(str(written))}, which Copier's update does not "
            f"accept: write framework: {framework.key}, commit, then run stackstart update again"
        )


def record_source(project: Path, source: history.TemplateSource) -> None:
    """Make the answers of a render from a plain folder say what Copier's render of ``source`` says.

    That is ``_commit: <tag>`` and ``_src_path: <history>``, so `stackstart update`
    and a plain `copier update` find the template's history.
    """
    import yaml  # copier's own dependency

    answers = project / ANSWERS_FILE
    lines = [
        line
        for line in answers.read_text(encoding="utf-8").splitlines()
        if not line.startswith(("_commit:", "_src_path:"))
    ]
    at = next((index for index, line in enumerate(lines) if not line.startswith("#")), len(lines))
    recorded = {"_commit": source.ref, "_src_path": source.path}
    lines[at:at] = yaml.safe_dump(recorded, default_flow_style=False, allow_unicode=True, width=4096).splitlines()
    answers.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _new_secret(kind: str) -> str:
    if kind == "hex":
        return secrets.token_hex(64)
    if kind == "password":  # 192 bits; hex needs no quoting in URLs, JDBC or shell
        return secrets.token_hex(24)
    if kind == "laravel":
        return "base64:" + base64.b64encode(secrets.token_bytes(32)).decode()
    return secrets.token_urlsafe(48)


def write_env(project: Path, wanted: Mapping[str, str]) -> None:
    """Write the git-ignored ``.env`` from ``.env.example`` with fresh secrets filled in.

    A key of ``wanted`` (the framework's secrets) or of :data:`catalog.SHARED_SECRETS`
    whose line in ``.env.example`` is empty (``KEY=``) gets a fresh random value;
    ``${KEY}`` in any other value is replaced by that value, so one generated
    password can appear in both ``DB_PASSWORD`` and ``DATABASE_URL``. The
    framework's secrets missing from the example are appended.
    """
    example = project / ".env.example"
    if not wanted and not example.is_file():
        return
    lines = example.read_text(encoding="utf-8").splitlines() if example.is_file() else []
    kinds = {**catalog.SHARED_SECRETS, **wanted}
    filled: dict[str, str] = {}
    for index, line in enumerate(lines):
        key, sep, value = line.partition("=")
        key = key.strip()
        if sep and key in kinds and key not in filled and not value.strip():
            filled[key] = _new_secret(kinds[key])
            lines[index] = f"{key}={filled[key]}"
    lines += [f"{key}={_new_secret(kind)}" for key, kind in wanted.items() if key not in filled]
    for key, value in filled.items():
        lines = [line.replace("${" + key + "}", value) if not line.lstrip().startswith("#") else line for line in lines]
    env = project / ".env"
    env.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env.chmod(0o600)


def git_commit_all(project: Path, message: str) -> None:
    """``git init`` (branch main) and commit everything, with a fallback identity."""
    gitrun.git("init", "-q", "-b", "main", cwd=project)
    identity: dict[str, str] = {}
    configured = gitrun.git("config", "user.email", cwd=project, check=False).strip()
    if not configured and not os.environ.get("GIT_AUTHOR_EMAIL"):
        identity = {
            "GIT_AUTHOR_NAME": "stackstart",
            "GIT_AUTHOR_EMAIL": "stackstart@localhost",
            "GIT_COMMITTER_NAME": "stackstart",
            "GIT_COMMITTER_EMAIL": "stackstart@localhost",
        }
    gitrun.git("add", "-A", cwd=project)
    gitrun.git("commit", "-q", "--no-verify", "-m", message, cwd=project, env=identity)
