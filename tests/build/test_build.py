"""Build tier: install, lint and run the output's own tests, with the catalog's commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from stackstart import catalog, verify
from tests.helpers import available_frameworks, describe, need_tools

pytestmark = pytest.mark.build

CASES = [(fw, variant) for fw in available_frameworks() for variant in catalog.VARIANTS]


@pytest.mark.parametrize(("framework", "variant"), CASES, ids=[f"{f}-{v}" for f, v in CASES])
def test_variant_installs_lints_and_passes_its_own_tests(tmp_path: Path, framework: str, variant: str) -> None:
    need_tools(framework)
    report = verify.verify(framework=catalog.get(framework), variant=variant, workdir=tmp_path, until="test")
    assert report.passed, describe(report)
    expected = ["render", "install", "lint", "test"]
    if catalog.VARIANTS[variant].database != "none":
        expected += [name for name, _ in catalog.get(framework).checks]
    assert [(s.name, s.status) for s in report.steps] == [(name, "passed") for name in expected]
