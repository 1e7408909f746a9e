"""v1 project with user edits → update to v2 → the build tier still passes on the updated project."""

from __future__ import annotations

from pathlib import Path

import pytest

from stackstart import update, verify
from stackstart.catalog import Options
from tests.helpers import available_frameworks, describe, need_tools
from tests.update.conftest import TemplateRepo, commit_all
from tests.update.test_update import edit

pytestmark = [pytest.mark.update, pytest.mark.build]

USER_TEST = '''"""The team's own test, added after generation."""


def test_home_page_names_the_shop(client):
    assert b"Shop" in client.get("/").data
'''


def v2(flask: Path) -> None:
    (flask / "CHANGELOG.md").write_text("# Changes\n\n- v2: Cache-Control on every response\n")
    edit(
        flask / "{{ package_name }}" / "core.py",
        '    "Referrer-Policy": "strict-origin-when-cross-origin",\n',
        '    "Referrer-Policy": "strict-origin-when-cross-origin",\n    "Cache-Control": "no-store",\n',
    )


def test_updated_full_variant_builds(template_repo: TemplateRepo, tmp_path: Path) -> None:
    need_tools("flask")
    project = template_repo.new(tmp_path, template_repo.release("v1"), Options(auth=True, admin=True, docker=True))
    edit(project / "shop" / "core.py", '"""The home page."""', '"""The home page, as our team likes it."""')
    (project / "tests" / "test_ours.py").write_text(USER_TEST)
    commit_all(project, "our edits")

    result = update.update(project, source=template_repo.release("v2", v2))
    assert result.conflicted == []
    core = (project / "shop" / "core.py").read_text()
    assert '"""The home page, as our team likes it."""' in core
    assert '"Cache-Control": "no-store"' in core
    commit_all(project, "update to v2")

    report = verify.verify(path=project, until="test")
    assert report.passed, describe(report)
    test_step = next(s for s in report.steps if s.name == "test")
    assert "passed" in test_step.detail


def generic_v2(framework_dir: Path) -> None:
    (framework_dir / "CHANGELOG.md").write_text("# Changes\n\n- v2\n")
    gitignore = next(framework_dir.glob(".gitignore*"))
    gitignore.write_text(gitignore.read_text() + "# v2: editor backups\n*~\n")


@pytest.mark.parametrize("framework", [f for f in available_frameworks() if f != "flask"])
def test_updated_full_variant_builds_for_every_framework(
    template_repo: TemplateRepo, tmp_path: Path, framework: str
) -> None:
    need_tools(framework)
    v1 = template_repo.release("v1")
    project = template_repo.new(tmp_path, v1, Options(auth=True, admin=True, docker=True), framework=framework)
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\n## Our team\n\nWe deploy on Fridays.\n")
    (project / "NOTES.md").write_text("ours\n")
    commit_all(project, "our edits")

    result = update.update(project, source=template_repo.release("v2", generic_v2, framework))
    assert result.conflicted == []
    assert result.added == ["CHANGELOG.md"]
    assert readme.read_text().endswith("We deploy on Fridays.\n")
    assert (project / ".gitignore").read_text().endswith("*~\n")
    commit_all(project, "update to v2")

    report = verify.verify(path=project, until="test")
    assert report.passed, describe(report)
