"""Plain Copier (through pytest-copie) renders the same files as `stackstart new`, minus the .env."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stackstart import catalog, generate
from stackstart.catalog import Options
from tests.helpers import available_frameworks

pytestmark = pytest.mark.render

ROOT = Path(__file__).resolve().parents[2]
FULL = Options(database="postgresql", auth=True, admin=True, docker=True, ci="github")


def contents(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8", errors="replace")
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


@pytest.mark.parametrize("framework", available_frameworks())
def test_plain_copier_matches_stackstart(copie: Any, tmp_path: Path, framework: str) -> None:
    result = copie.copy(
        extra_answers={"project_name": "shop", "framework": framework, **FULL.as_data()}, template_dir=ROOT
    )
    assert result.exit_code == 0, result.exception
    assert result.answers["framework"] == framework

    ours = tmp_path / "shop"
    generate.create(generate.NewRequest("shop", catalog.get(framework), FULL, ours, git=False))
    plain, generated = contents(result.project_dir), contents(ours)
    extra = set(generated) - set(plain)
    assert extra == {".env"}  # written from .env.example, with the framework's secrets filled in
    for name, text in plain.items():
        if name != ".copier-answers.yml":
            assert generated[name] == text, name
