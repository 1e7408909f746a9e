"""Template files stay readable: options are separate fragments, not files full of `{% if %}`."""

from __future__ import annotations

import re
from pathlib import Path

from stackstart import catalog

MANIFESTS = {"package.json", "pom.xml", "pyproject.toml"}  # dependency lists: one line per option is clearest
IF_BLOCK = re.compile(r"\{%-?\s*if\s")


def template_files() -> list[Path]:
    root = catalog.template_root() / "templates"
    return sorted(p for p in root.rglob("*") if p.is_file() and "node_modules" not in p.parts)


def test_no_template_file_but_a_manifest_has_more_than_two_if_blocks() -> None:
    files = template_files()
    assert len(files) > 100  # the templates really were read
    crowded = {}
    for path in files:
        if path.name.removesuffix(".jinja") in MANIFESTS:
            continue
        try:
            count = len(IF_BLOCK.findall(path.read_text()))
        except UnicodeDecodeError:
            continue  # binaries (images, the Maven wrapper jar)
        if count > 2:
            crowded[str(path.relative_to(catalog.template_root()))] = count
    assert crowded == {}, "split these into per-option fragments (templates/<fw>/_fragments/ or templates/_shared/)"


def test_the_rule_sees_a_crowded_file() -> None:
    text = "{% if a %}x{% endif %}\n{%- if b %}y{% endif %}\n{% if  c %}z{% endif %}\n{% elif d %}\n"
    assert len(IF_BLOCK.findall(text)) == 3
