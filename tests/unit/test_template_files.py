"""Template files stay readable: options are separate fragments, not files full of `{% if %}`; images are named once."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2

from stackstart import catalog

MANIFESTS = {"package.json", "pom.xml", "pyproject.toml"}  # dependency lists: one line per option is clearest
IF_BLOCK = re.compile(r"\{%-?\s*if\s")
SHARED_IMAGES = "templates/_shared/images.jinja"
# a Dockerfile's base image or a compose/CI service's image: the value must be an expression, not a literal tag
IMAGE_LINE = re.compile(r"^\s*(?:FROM|image:)\s+(?:--platform=\S+\s+)?(\S+)", re.M)


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


def shared_images() -> dict[str, str]:
    """The image tags the shared images file exports (name → ``repository:tag``), as Jinja evaluates them."""
    loader = jinja2.FileSystemLoader(catalog.template_root())
    env = jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined, autoescape=True)
    module = env.get_template(SHARED_IMAGES).module
    return {k: v for k, v in vars(module).items() if not k.startswith("_") and isinstance(v, str) and ":" in v}


def literal_images(text: str, images: dict[str, str]) -> list[str]:
    """Image tags written literally in ``text``: a shared tag, or a FROM/image: line that is not an expression."""
    found = [tag for tag in images.values() if tag in text]
    found += [value for value in IMAGE_LINE.findall(text) if not value.startswith(("{{", "{%"))]
    return found


def test_every_image_tag_is_written_once_in_the_shared_images_file() -> None:
    images = shared_images()
    assert {"postgresql", "mysql", "python", "node", "jdk", "jre"} <= set(images), images
    assert images["postgresql"].startswith("postgres:")
    assert images["mysql"].startswith("mysql:")
    literal: dict[str, list[str]] = {}
    image_lines = 0
    for path in template_files():
        name = str(path.relative_to(catalog.template_root()))
        if name == SHARED_IMAGES:
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        image_lines += len(IMAGE_LINE.findall(text))
        if found := literal_images(text, images):
            literal[name] = found
    assert image_lines >= 12  # 4 Dockerfiles (2 stages each), compose and CI services for 2 databases
    assert literal == {}, f"import {SHARED_IMAGES} and use its names instead"


def test_the_image_rule_sees_a_literal_tag() -> None:
    images = {"postgresql": "postgres:17"}
    assert literal_images("FROM {{ images.python }} AS build\n    image: {{ images.postgresql }}\n", images) == []
    assert literal_images("FROM python:3.13-slim AS build\n", images) == ["python:3.13-slim"]
    assert literal_images("    image: redis:7\n", images) == ["redis:7"]
    assert literal_images("The image is `postgres:17`.", images) == ["postgres:17"]
