"""Checks applied to every rendered project: no leftover Jinja, every file parses."""

from __future__ import annotations

import ast
import fnmatch
import json
import re
import subprocess
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import yaml

from stackstart import catalog

__all__ = ["BATCH_PARSERS", "PARSERS", "leftover_jinja", "parse_errors", "run_linter"]

# `${{ }}` is GitHub Actions syntax, not ours
_LEFTOVER = re.compile(r"(?<!\$)\{\{|\{%|\{#")
# in the framework's own templates Jinja syntax is legitimate, but our variables never are
_OUR_VARIABLES = re.compile(
    r"\{\{-?\s*(project_name|package_name|project_title|framework|database|auth|admin|docker|ci|_copier\w*)\b"
    r"|\{%-?\s*(if|elif|for)\s[^%]*\b(database|auth|admin|docker|ci|framework)\b"
)


def _parse_yaml(text: str) -> None:
    list(yaml.safe_load_all(text))


def _parse_java(text: str) -> None:
    import tree_sitter
    import tree_sitter_java

    tree = tree_sitter.Parser(tree_sitter.Language(tree_sitter_java.language())).parse(text.encode())
    if tree.root_node.has_error:
        bad = next(_error_nodes(tree.root_node), None)
        where = f" near line {bad.start_point[0] + 1}" if bad is not None else ""
        raise SyntaxError(f"Java syntax error{where}")


def _error_nodes(node: object) -> Iterator[Any]:
    if getattr(node, "is_error", False) or getattr(node, "is_missing", False):
        yield node
    for child in getattr(node, "children", ()):
        yield from _error_nodes(child)


# Node's own parser on every ES module of a project, in one process (a process per file cost ~3 s a project):
# a vm.SourceTextModule is parsed when it is made, as `node --input-type=module --check` parses, and never run.
_NODE_PARSE = """
const vm = require("node:vm");
const fs = require("node:fs");
const found = {};
for (const file of process.argv.slice(1)) {
  try {
    new vm.SourceTextModule(fs.readFileSync(file, "utf8"), { identifier: file });
  } catch (error) {
    const where = String(error.stack || "").split("\\n")[0];
    found[file] = `${error.name}: ${error.message} (${where})`;
  }
}
process.stdout.write(JSON.stringify(found));
"""


def _parse_javascript(paths: list[Path]) -> dict[Path, str]:
    """Syntax errors of ES module files, by file (none: {})."""
    if not paths:
        return {}
    command = ["node", "--experimental-vm-modules", "--no-warnings", "-e", _NODE_PARSE, *map(str, paths)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"node could not check the JavaScript files: {done.stderr.strip()}")
    return {Path(file): message for file, message in json.loads(done.stdout).items()}


PARSERS: dict[str, Callable[[str], object]] = {
    ".py": ast.parse,
    ".toml": tomllib.loads,
    ".json": json.loads,
    ".yml": _parse_yaml,
    ".yaml": _parse_yaml,
    ".xml": ElementTree.fromstring,
    ".java": _parse_java,
}
BATCH_PARSERS: dict[str, Callable[[list[Path]], dict[Path, str]]] = {
    ".js": _parse_javascript,
    ".mjs": _parse_javascript,
}


def _text_files(project: Path) -> list[Path]:
    files = []
    for path in sorted(project.rglob("*")):
        if not path.is_file() or ".git" in path.relative_to(project).parts:
            continue
        try:
            path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        files.append(path)
    return files


def leftover_jinja(project: Path, framework: catalog.Framework) -> list[str]:
    """Files (with line numbers) still holding template syntax that Copier should have rendered."""
    problems = []
    for path in _text_files(project):
        rel = path.relative_to(project).as_posix()
        native = any(fnmatch.fnmatch(rel, pattern) for pattern in framework.native_templates)
        pattern = _OUR_VARIABLES if native else _LEFTOVER
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                problems.append(f"{rel}:{number}: {line.strip()}")
    return problems


def parse_errors(project: Path) -> tuple[int, list[str]]:
    """Parse every file with a parser for its type; return (files parsed, errors)."""
    parsed, errors = 0, []
    batches: dict[Callable[[list[Path]], dict[Path, str]], list[Path]] = {}
    for path in _text_files(project):
        if path.suffix in BATCH_PARSERS:
            batches.setdefault(BATCH_PARSERS[path.suffix], []).append(path)
            continue
        parser = PARSERS.get(path.suffix)
        if parser is None:
            continue
        try:
            parser(path.read_text(encoding="utf-8"))
        except Exception as error:  # every parser has its own error type
            errors.append(f"{path.relative_to(project)}: {error}")
        parsed += 1
    for check, paths in batches.items():
        found = check(paths)
        errors += [f"{path.relative_to(project)}: {found[path]}" for path in paths if path in found]
        parsed += len(paths)
    return parsed, errors


def run_linter(command: list[str], cwd: Path) -> str | None:
    """Run a linter; return its output when it complains, else None."""
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    return None if done.returncode == 0 else (done.stdout + done.stderr).strip()
