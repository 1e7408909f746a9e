"""`new` renders from an extracted copy of the template (no clone per run), and its projects still update.

Issue 14: the answers of a project made by the faster `new` must say exactly what Copier's own render
from the history says (``_src_path``, ``_commit``), so `stackstart update` and a plain `copier update`
work on it, as they do on a project made the old way, by release 0.1.0 (Copier cloning the history).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from stackstart import catalog, copier_adapter, generate, history, project_files
from stackstart.catalog import Options
from tests.helpers import invoke
from tests.update.conftest import TemplateRepo, commit_all, git, status

pytestmark = pytest.mark.update

FULL = Options(database="sqlite", auth=False, admin=False, docker=True, ci="github")
V2_FILE = "CHANGELOG.md"


def tree(project: Path) -> dict[str, tuple[bytes, int]]:
    """Every file but .git and the secrets: content and mode."""
    return {
        p.relative_to(project).as_posix(): (p.read_bytes(), p.stat().st_mode & 0o777)
        for p in project.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(project).parts and p.name != ".env"
    }


def answers_of(project: Path) -> dict[str, Any]:
    loaded = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def new(where: Path, source: history.TemplateSource | None, name: str = "shop") -> Path:
    """`stackstart new` (the library call the CLI makes), with git."""
    request = generate.NewRequest(name, catalog.get("flask"), FULL, where / name, source=source)
    generate.create(request)
    return where / name


def made_by_0_1_0(where: Path, source: history.TemplateSource, name: str = "shop") -> Path:
    """What release 0.1.0's `new` did: Copier clones the history at the tag and renders it, then git."""
    project = where / name
    data = {"project_name": name, "framework": "flask", **FULL.as_data()}
    copier_adapter.copier_render(source.path, source.ref, data, project)
    project_files.write_env(project, catalog.get("flask").secrets)
    project_files.git_commit_all(project, "Initial commit")
    return project


def copier_update(project: Path, *data: str) -> None:
    """A plain `copier update`, as a user runs it in the project (no stackstart involved)."""
    args = [arg for item in data for arg in ("-d", item)]
    done = subprocess.run(
        [sys.executable, "-m", "copier", "update", "--quiet", "--defaults", "--skip-tasks", *args],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def stackstart_update(project: Path, *args: str, source: str | None = None) -> None:
    env = {"STACKSTART_TEMPLATE_SOURCE": source} if source else {}
    result = invoke("update", str(project), "--json", *args, env=env)
    assert result.exit_code == 0, result.output


def clone(project: Path, where: Path) -> Path:
    subprocess.run(["git", "clone", "-q", str(project), str(where)], check=True)
    return where


def test_new_renders_exactly_what_copier_renders_from_the_history(tmp_path: Path) -> None:
    """Same files, same modes, same answers (``_commit: v<version>``, ``_src_path: ~/…``) as Copier's clone."""
    fast = new(tmp_path / "fast", None)
    source = history.TemplateSource(history.STABLE_BUNDLE, history.release_tag())
    old = made_by_0_1_0(tmp_path / "old", source)
    assert tree(fast) == tree(old)
    assert answers_of(fast)["_commit"] == history.release_tag()
    assert answers_of(fast)["_src_path"] == "~/.local/share/stackstart/templates.bundle"
    trees = Path(os.environ["XDG_CACHE_HOME"]) / "stackstart" / "trees"
    assert [p.name for p in trees.iterdir() if not p.name.startswith(".")], "no extracted template in the cache"


def test_new_neither_clones_the_history_nor_runs_git_per_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    new(tmp_path / "warm", None)  # the first run extracts the template into the cache
    import copier._template

    def no_clone(*args: object, **kwargs: object) -> str:
        raise AssertionError(f"cloned the template: {args}")

    monkeypatch.setattr(copier._template, "clone", no_clone)
    spawned: list[list[str]] = []
    real_popen = subprocess.Popen.__init__

    def counting(self: subprocess.Popen[Any], args: Any, *rest: Any, **kwargs: Any) -> None:
        spawned.append([str(a) for a in args] if isinstance(args, list | tuple) else [str(args)])
        real_popen(self, args, *rest, **kwargs)

    monkeypatch.setattr(subprocess.Popen, "__init__", counting)
    request = generate.NewRequest("shop", catalog.get("flask"), FULL, tmp_path / "shop", git=False)
    result = generate.create(request)
    assert len(result.files) >= 30
    git_runs = [args for args in spawned if Path(args[0]).name == "git"]
    # before issue 14: 3 to clone, and one per rendered file (Copier's core.fileMode check), 40 and more
    assert len(git_runs) <= 8, git_runs


PROMPT_LIBRARIES = ("questionary", "prompt_toolkit", "pygments")


def cli_new(where: Path, *, importtime: bool = False) -> subprocess.CompletedProcess[str]:
    """`stackstart new` as a user runs it: its own process, --no-git."""
    flags = ["--database", "sqlite", "--no-auth", "--no-admin", "--docker", "--ci", "github", "--no-git"]
    trace = ["-X", "importtime"] if importtime else []
    done = subprocess.run(
        [sys.executable, *trace, "-m", "stackstart", "new", "shop", "--framework", "flask", *flags],
        cwd=where,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_the_cli_imports_no_prompt_library_and_renders_what_copier_renders(tmp_path: Path) -> None:
    """Copier is imported with stand-ins for its prompt libraries, and compiled code comes from the store:
    neither changes a byte of what plain Copier renders from the history."""
    source = history.TemplateSource(history.STABLE_BUNDLE, history.release_tag())
    for run in ("cold", "warm"):  # the warm run takes the compiled code the cold run stored
        (tmp_path / run).mkdir()
        imports = cli_new(tmp_path / run, importtime=True).stderr
        imported = [line.split("|")[-1].strip() for line in imports.splitlines() if line.startswith("import time:")]
        assert "copier._main" in imported
        assert [name for name in imported if name.split(".")[0] in PROMPT_LIBRARIES] == [], run
    assert list((Path(os.environ["XDG_CACHE_HOME"]) / "stackstart").glob("jinja-*.marshal"))
    old = made_by_0_1_0(tmp_path / "old", source)  # Copier (as imported by pytest, with its prompt libraries)
    assert tree(tmp_path / "cold" / "shop") == tree(old)
    assert tree(tmp_path / "warm" / "shop") == tree(old)


def test_a_copier_that_takes_other_prompt_names_is_imported_as_it_is(tmp_path: Path) -> None:
    """If Copier takes a name the stand-ins do not have, the real prompt libraries are imported."""
    script = (
        "import sys\n"
        "from stackstart import copier_adapter\n"
        "del copier_adapter._PROMPT_NAMES['questionary']['unsafe_prompt']\n"
        "copier_adapter._import_copier()\n"
        "import copier, questionary, copier._main as main\n"
        "assert main.unsafe_prompt is questionary.unsafe_prompt, main.unsafe_prompt\n"
        "print(copier.Worker.__name__, 'prompt_toolkit' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["Worker", "True"]


@pytest.mark.parametrize("maker", ["fast new", "release 0.1.0"])
def test_projects_update_with_plain_copier_and_with_stackstart(
    template_repo: TemplateRepo, tmp_path: Path, maker: str
) -> None:
    """v1 → the user edits → v2: both tools bring v2's file and keep the edit, on either kind of project."""
    v1 = template_repo.release("v1")
    project = new(tmp_path, v1) if maker == "fast new" else made_by_0_1_0(tmp_path, v1)
    assert answers_of(project)["_commit"] == "v1"
    assert answers_of(project)["_src_path"] == str(template_repo.path)
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\nour words\n")
    commit_all(project, "our words")
    template_repo.release("v2", lambda flask: (flask / V2_FILE).write_text("# Changes\n"))

    results = []
    for tool in ("copier", "stackstart"):
        copy = clone(project, tmp_path / f"by-{tool}")
        if tool == "copier":
            copier_update(copy)
        else:
            stackstart_update(copy, source=str(template_repo.path))
        assert answers_of(copy)["_commit"] == "v2", tool
        assert (copy / V2_FILE).read_text() == "# Changes\n", tool
        assert (copy / "README.md").read_text().endswith("\nour words\n"), tool
        results.append(tree(copy))
    assert results[0] == results[1]


@pytest.mark.parametrize("maker", ["fast new", "release 0.1.0"])
def test_projects_of_the_default_history_update_with_plain_copier_and_with_stackstart(
    tmp_path: Path, maker: str
) -> None:
    """`_src_path: ~/.local/share/stackstart/templates.bundle` at this release: turning auth on works with both."""
    source = history.default_source()
    project = new(tmp_path, None) if maker == "fast new" else made_by_0_1_0(tmp_path, source)
    results = []
    for tool in ("copier", "stackstart"):
        copy = clone(project, tmp_path / f"by-{tool}")
        if tool == "copier":
            copier_update(copy, "auth=true")
        else:
            stackstart_update(copy, "--auth")
        assert answers_of(copy)["auth"] is True, tool
        assert (copy / "shop" / "auth.py").is_file(), tool
        assert answers_of(copy)["_src_path"] == history.STABLE_BUNDLE, tool
        results.append(tree(copy))
    assert results[0] == results[1]
    assert status(project) == ""
    assert git(project, "log", "--format=%s").strip()


def test_update_hands_its_own_renders_to_copier_update(
    template_repo: TemplateRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`copier update` renders the old and the new template once more: it takes stackstart's renders instead."""
    from stackstart import update

    v1 = template_repo.release("v1")
    # every option answered (auth on, so admin is asked too): Copier's answers are exactly stackstart's
    request = generate.NewRequest(
        "shop",
        catalog.get("flask"),
        Options(database="sqlite", auth=True, admin=True, docker=True, ci="github"),
        tmp_path / "shop",
        source=v1,
    )
    generate.create(request)
    project = tmp_path / "shop"
    v2 = template_repo.release("v2", lambda flask: (flask / V2_FILE).write_text("# Changes\n"))
    handed: list[copier_adapter.Prerendered] = []
    real = copier_adapter.prerendered

    def spy(renders: list[copier_adapter.Prerendered]) -> Any:
        handed.extend(renders)
        return real(renders)

    monkeypatch.setattr(copier_adapter, "prerendered", spy)
    import copier._template

    def no_clone(*args: object, **kwargs: object) -> str:
        raise AssertionError(f"cloned the template: {args}")

    monkeypatch.setattr(copier._template, "clone", no_clone)  # both templates come from the extracted copies
    result = update.update(project, source=v2)
    assert result.added == [V2_FILE]
    assert [(r.source.ref, len(r.used)) for r in handed] == [("v1", 1), ("v2", 1)]
    assert answers_of(project)["_commit"] == "v2"


def copier_facts(source: history.TemplateSource) -> tuple[str | None, str | None, str]:
    """What Copier reads in its clone of ``source``: `git describe`, the commit, dunamai's version."""
    import copier._template

    template = copier._template.Template(url=source.path, ref=source.ref)
    try:
        return template.commit, template.commit_hash, str(template.version)
    finally:
        template._cleanup()


def test_release_facts_are_what_copier_reads_in_its_clone(template_repo: TemplateRepo) -> None:
    v1 = template_repo.release("v1")
    git(template_repo.path, "tag", "-a", "v2", "-m", "annotated")  # on the commit v1 is on: not a plain release
    template_repo.release("v3")
    git(template_repo.path, "commit", "-q", "--allow-empty", "-m", "v4")
    git(template_repo.path, "tag", "-a", "v4", "-m", "an annotated release")
    bundle = history.default_source()
    for source in (
        history.TemplateSource(str(template_repo.path), "v3"),
        history.TemplateSource(str(template_repo.path), "v4"),
        bundle,
    ):
        facts = history.release_facts(source)
        assert facts is not None, source
        assert (facts.commit, facts.commit_hash, facts.version) == copier_facts(source), source
    assert history.release_facts(v1) is None  # two tags on its commit: git describe could name either
    assert history.release_facts(history.TemplateSource(str(template_repo.path), "main")) is None


@pytest.mark.parametrize("answers_file", [".copier-answers.yml", ".answers-{{ project_name }}.yml"])
def test_the_answers_file_gets_the_name_copier_gives_it(tmp_path: Path, answers_file: str) -> None:
    # stackstart's Worker skips Copier's render of a name without Jinja markup; one with markup is rendered
    template = tmp_path / "template"
    template.mkdir()
    (template / "copier.yml").write_text(f'_answers_file: "{answers_file}"\nproject_name:\n  type: str\n')
    (template / "{{ _copier_conf.answers_file }}.jinja").write_text("{{ _copier_answers | to_nice_yaml }}")
    (template / "{{ project_name }}.txt.jinja").write_text("answers in {{ _copier_conf.answers_file }}\n")
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    copier_adapter.copier_render(str(template), None, {"project_name": "shop"}, ours)
    subprocess.run(
        [sys.executable, "-m", "copier", "copy", "--defaults", "--data=project_name=shop", str(template), str(theirs)],
        check=True,
        capture_output=True,
    )
    name = answers_file.replace("{{ project_name }}", "shop")
    assert (ours / name).is_file()
    assert (ours / "shop.txt").read_text() == f"answers in {name}\n"
    assert tree(ours) == tree(theirs)
