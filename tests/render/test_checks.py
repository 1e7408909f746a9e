"""The render tier's own checks find what they are there to find."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.render.checks import parse_errors

pytestmark = pytest.mark.render


def test_every_syntax_error_is_found_with_its_file(tmp_path: Path) -> None:
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.js").write_text('import express from "express";\nexport const app = express();\n')
    (tmp_path / "src" / "top.mjs").write_text("const a = await Promise.resolve(1);\nexport default a;\n")
    (tmp_path / "src" / "broken.js").write_text("export const = 1;\n")
    (tmp_path / "src" / "script.js").write_text("return 1;\n")  # fine in a CommonJS script, not in a module
    (tmp_path / "ok.py").write_text("x = 1\n")
    (tmp_path / "bad.py").write_text("def f(:\n")
    parsed, errors = parse_errors(tmp_path)
    assert parsed == 6
    assert sorted(error.split(":", 1)[0] for error in errors) == ["bad.py", "src/broken.js", "src/script.js"]
    assert any("SyntaxError: Unexpected token '='" in error for error in errors), errors
