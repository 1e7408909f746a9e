"""Every command and every bad input, through the real entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from stackstart import cli, copier_adapter, generate
from stackstart.errors import INTERNAL_ERROR, ToolError
from tests.helpers import invoke, json_result


def tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def assert_usage_error(result: Result, message: str, cwd: Path, before: list[str] | None = None) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert message in lines[0]
    assert "Traceback" not in result.output
    assert tree(cwd) == (before or []), "something was written"


# ---------------------------------------------------------------- new: bad input


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2fast", "-f", "flask"], 'project name "2fast" must start with a letter (try "fast2")'),
        (["Shop", "-f", "flask"], "must start with a lowercase letter"),
        (["my shop", "-f", "flask"], "may only contain lowercase letters"),
        (["flask", "-f", "flask"], "would clash with a Flask dependency"),
        (["test", "-f", "flask"], "would clash with a Flask dependency"),
        (["class", "-f", "flask"], "Python keyword"),
        (["a" * 51, "-f", "flask"], "the limit is 50"),
        (["", "-f", "flask"], "is empty"),
        (["shop", "-f", "djnago"], 'unknown framework "djnago" (did you mean "django"?'),
        (["shop", "-f", "cobol"], 'unknown framework "cobol" (choose from django, flask'),
        (["shop", "-f", "laravel"], "the Laravel template is not available"),
        (["shop", "-f", "dotnet"], "the ASP.NET Core template is not available"),
        (["shop", "-f", "flask", "--database", "none", "--auth"], "--auth needs a database"),
        (["shop", "-f", "flask", "--admin", "--no-auth"], "--admin needs --auth, but --no-auth was given"),
        (["shop", "-f", "flask", "--admin", "--database", "none"], "--admin (which turns on --auth) needs a database"),
        (["shop", "-f", "flask", "--database", "oracle"], "Invalid value for '--database'"),
        (["shop", "-f", "flask", "--ci", "gitlab"], "Invalid value for '--ci'"),
        (["shop"], "missing --framework"),
        ([], "Missing argument 'NAME'"),
        (["shop", "-f", "flask", "--frobnicate"], "No such option '--frobnicate'"),
        (["shop", "-f", "flask", "--package", "com.example.shop"], "--package applies to Spring Boot only"),
        (["shop", "-f", "spring", "--package", "com.example.class"], 'uses the Java keyword "class"'),
        (["shop", "-f", "spring", "--package", "Shop"], "two or more dot-separated lowercase identifiers"),
    ],
)
def test_new_refuses_bad_input(args: list[str], message: str) -> None:
    cwd = Path.cwd()
    assert_usage_error(invoke("new", *args), message, cwd)


def test_unknown_command() -> None:
    result = invoke("nope")
    assert result.exit_code == 2
    assert "No such command 'nope'" in result.stderr


def test_new_refuses_a_non_empty_destination_and_leaves_it_alone() -> None:
    cwd = Path.cwd()
    (cwd / "shop").mkdir()
    (cwd / "shop" / "notes.txt").write_text("mine")
    assert_usage_error(
        invoke("new", "shop", "-f", "flask"), "already exists and is not empty", cwd, before=["shop", "shop/notes.txt"]
    )
    assert (cwd / "shop" / "notes.txt").read_text() == "mine"


def test_new_refuses_a_destination_that_is_a_file() -> None:
    cwd = Path.cwd()
    (cwd / "shop").write_text("a file")
    assert_usage_error(invoke("new", "shop", "-f", "flask"), "is not a directory", cwd, before=["shop"])


def test_new_without_git_on_path_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    assert_usage_error(invoke("new", "shop", "-f", "flask"), "git is not installed", Path.cwd())


@pytest.mark.parametrize("failure", [ToolError("copier exploded"), KeyboardInterrupt()])
def test_a_failed_render_leaves_nothing_behind(monkeypatch: pytest.MonkeyPatch, failure: BaseException) -> None:
    real_render = copier_adapter.render

    def broken(*args: Any) -> None:
        real_render(*args)  # half the work really happens, then it fails
        raise failure

    monkeypatch.setattr(copier_adapter, "render", broken)
    result = invoke("new", "shop", "-f", "flask", "--output", "deep/nested")
    assert result.exit_code == (1 if isinstance(failure, ToolError) else 130)
    assert "Traceback" not in result.output
    assert tree(Path.cwd()) == []


def _tool_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any) -> None:
        raise ToolError("git init failed in shop: nope", "fatal: nope\nhint: what git said next")

    monkeypatch.setattr(copier_adapter, "render", broken)


def test_a_tool_failure_is_one_line_without_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    _tool_fails(monkeypatch)
    result = invoke("new", "shop", "-f", "flask")
    assert result.exit_code == 1
    assert result.stderr == "error: git init failed in shop: nope (run with --debug for the details)\n"


@pytest.mark.parametrize("where", ["before the command", "after the command", "environment"])
def test_debug_in_any_position_shows_what_the_tool_said_and_the_traceback(
    monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    _tool_fails(monkeypatch)
    args = ["new", "shop", "-f", "flask"]
    if where == "environment":
        monkeypatch.setenv("STACKSTART_DEBUG", "1")
    result = invoke("--debug", *args) if where == "before the command" else invoke(*args, "--debug")
    if where == "environment":
        result = invoke(*args)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "error: git init failed in shop: nope"
    assert "hint: what git said next" in lines
    assert "Traceback (most recent call last):" in lines
    assert tree(Path.cwd()) == []


@pytest.mark.parametrize(
    "args",
    [
        ["--debug", "new", "shop", "-f", "cobol"],  # our check
        ["new", "shop", "-f", "cobol", "--debug"],
        ["new", "shop", "-f", "flask", "--admin", "--no-auth", "--debug"],
        ["new", "shop", "-f", "flask", "--ci", "gitlab", "--debug"],  # click's checks
        ["new", "--debug", "shop", "--frobnicate"],
        ["--debug", "verify", "--framework", "rails", "--variant", "api"],
    ],
)
def test_debug_never_adds_a_traceback_to_a_usage_error(args: list[str]) -> None:
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stdout == ""


def test_bare_stackstart_shows_the_help_as_click_does() -> None:
    done = subprocess.run([sys.executable, "-m", "stackstart"], capture_output=True, text=True, check=False)
    assert done.returncode == 2  # click's own choice for a group called without a command
    assert done.stdout == ""
    assert done.stderr.startswith("Usage: stackstart [OPTIONS] COMMAND [ARGS]...")
    assert "Commands:" in done.stderr
    assert "error:" not in done.stderr
    assert (
        done.stderr
        == subprocess.run(
            [sys.executable, "-m", "stackstart", "--help"], capture_output=True, text=True, check=True
        ).stdout
    )


def test_update_dry_run_shows_option_changes_as_the_user_writes_them() -> None:
    made = invoke("new", "shop", "-f", "flask", "--defaults")
    assert made.exit_code == 0, made.output
    for extra in (["--dry-run"], []):
        result = invoke("update", "shop", "--admin", "--ci", "none", *extra)
        assert result.exit_code == 0, result.output
        first = result.stdout.splitlines()[0]
        assert first.endswith("; options auth off→on, admin off→on, ci github→none"), first
        assert "True" not in result.stdout
        assert "False" not in result.stdout


def test_ctrl_c_raised_inside_a_command_says_interrupted(monkeypatch: pytest.MonkeyPatch) -> None:
    """A KeyboardInterrupt that our signal handler did not turn into Interrupted (click makes it an Abort)."""

    def cut(*args: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(copier_adapter, "render", cut)
    result = invoke("new", "shop", "-f", "flask")
    assert result.exit_code == 130
    assert result.stderr == "error: interrupted; nothing was left behind\n"
    assert tree(Path.cwd()) == []


# ---------------------------------------------------------------- new: success


def git(project: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=project, capture_output=True, text=True, check=True).stdout


def test_new_creates_commits_and_prints_next_steps() -> None:
    result = invoke("new", "shop", "--framework", "flask", "--defaults")
    assert result.exit_code == 0, result.output
    assert result.exception is None
    project = Path.cwd() / "shop"
    assert (project / "shop" / "__init__.py").is_file()
    assert "Initial commit from stackstart" in git(project, "log", "--oneline")
    assert git(project, "status", "--porcelain") == ""
    tracked = git(project, "ls-files").split()
    assert ".env" not in tracked
    assert ".env.example" in tracked
    assert (project / ".env").stat().st_mode & 0o777 == 0o600
    answers = (project / ".copier-answers.yml").read_text()
    assert "framework: flask" in answers
    assert "database: sqlite" in answers
    assert "SECRET_KEY" not in answers
    assert "cd shop" in result.stdout
    assert ".venv/bin/flask --app shop db upgrade" in result.stdout
    assert ".venv/bin/gunicorn --bind 127.0.0.1:${PORT:-8000} shop.wsgi:app" in result.stdout
    assert not [p for p in Path.cwd().iterdir() if p.name.startswith(".")], "staging directory left behind"


def test_new_json_reports_options_destination_files_and_commands() -> None:
    result = invoke("new", "my-shop", "-f", "flask", "--admin", "--docker", "--no-git", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["project"] == {"name": "my-shop", "path": str(Path.cwd() / "my-shop")}
    doc = json_result(result.stdout, "new")
    assert doc["options"] == {"database": "sqlite", "auth": True, "admin": True, "docker": True, "ci": "github"}
    assert "Dockerfile" in doc["files"]
    assert "my_shop/__init__.py" in doc["files"]
    assert doc["notes"] == ["--admin turns on --auth"]
    commands = {step["what"]: step["command"] for step in doc["next_steps"]}
    assert commands["create-admin"].endswith(".venv/bin/flask --app my_shop create-admin admin@example.com")
    assert commands["docker"] == "docker compose up --build"
    assert not (Path.cwd() / "my-shop" / ".git").exists()
    for file in doc["files"]:
        assert (Path.cwd() / "my-shop" / file).is_file(), file


def test_admin_implies_auth_and_says_so() -> None:
    result = invoke("new", "shop", "-f", "flask", "--admin", "--no-git")
    assert result.exit_code == 0, result.output
    assert "note: --admin turns on --auth" in result.stderr


def test_dry_run_writes_nothing() -> None:
    result = invoke("new", "shop", "-f", "flask", "--database", "postgresql", "--auth", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Would create shop (Flask; postgresql, auth, ci github)" in result.stdout
    assert "  .env" in result.stdout
    assert "  shop/__init__.py" in result.stdout
    assert tree(Path.cwd()) == []


def test_dry_run_json() -> None:
    result = invoke("new", "shop", "-f", "flask", "--dry-run", "--json")
    doc = json_result(result.stdout, "new")
    assert doc["dry_run"] is True
    assert ".copier-answers.yml" in doc["files"]
    assert tree(Path.cwd()) == []


def test_output_directory_is_created_and_an_empty_destination_is_fine() -> None:
    result = invoke("new", "shop", "-f", "flask", "--no-git", "--output", "a/b")
    assert result.exit_code == 0, result.output
    assert (Path.cwd() / "a" / "b" / "shop" / ".copier-answers.yml").is_file()
    (Path.cwd() / "empty").mkdir()
    result = invoke("new", "empty", "-f", "flask", "--no-git")
    assert result.exit_code == 0, result.output
    assert (Path.cwd() / "empty" / ".copier-answers.yml").is_file()


def test_two_projects_get_different_secrets() -> None:
    for name in ("one", "two"):
        assert invoke("new", name, "-f", "flask", "--no-git").exit_code == 0
    secrets = [
        next(line for line in (Path.cwd() / name / ".env").read_text().splitlines() if line.startswith("SECRET_KEY="))
        for name in ("one", "two")
    ]
    assert len(secrets[0]) > len("SECRET_KEY=") + 40
    assert secrets[0] != secrets[1]


def test_interactive_prompts_for_missing_options(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "_interactive", lambda: True)
    # framework, database, auth, admin, docker, ci
    result = invoke("new", "shop", "--no-git", input="flask\npostgresql\ny\nn\ny\nnone\n")
    assert result.exit_code == 0, result.output
    answers = (Path.cwd() / "shop" / ".copier-answers.yml").read_text()
    for line in ("database: postgresql", "auth: true", "admin: false", "docker: true", "ci: none"):
        assert line in answers


def test_interactive_skips_questions_that_cannot_apply(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "_interactive", lambda: True)
    # database none: no auth/admin questions; only docker and ci follow
    result = invoke("new", "shop", "-f", "flask", "--database", "none", "--no-git", input="n\ngithub\n")
    assert result.exit_code == 0, result.output
    assert "Users, token login" not in result.output


def test_defaults_never_prompt_even_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "_interactive", lambda: True)
    result = invoke("new", "shop", "-f", "flask", "--defaults", "--no-git", input="")
    assert result.exit_code == 0, result.output
    assert "Database" not in result.output


# ---------------------------------------------------------------- list, doctor, verify, misc


def test_list_text_and_json() -> None:
    result = invoke("list")
    assert result.exit_code == 0
    assert result.exception is None
    assert "flask       Flask 3.1" in result.stdout
    assert "not available yet" in result.stdout
    doc = json_result(invoke("list", "--json").stdout, "list")
    frameworks = {f["key"]: f for f in doc["frameworks"]}
    assert list(frameworks) == ["django", "flask", "express", "laravel", "rails", "springboot", "aspnet"]
    assert frameworks["flask"]["available"] is True
    assert frameworks["rails"]["available"] is False
    assert (
        frameworks["flask"]["commands"]["run"] == ".venv/bin/gunicorn --bind 127.0.0.1:${PORT:-8000} <package>.wsgi:app"
    )
    assert all(
        "PORT" in f["commands"]["run"] or f["key"] in {"springboot", "aspnet", "express"} for f in doc["frameworks"]
    )
    assert list(doc["option_specs"]) == ["database", "auth", "admin", "docker", "ci"]
    assert doc["options"] == {"database": "sqlite", "auth": False, "admin": False, "docker": False, "ci": "github"}


def test_doctor_json() -> None:
    result = invoke("doctor", "--json")
    assert result.exit_code == 0
    assert result.exception is None
    doc = json_result(result.stdout, "doctor")
    assert doc["tools"]["git"]["present"] is True
    assert doc["tools"]["python"]["version"].startswith("3.")
    assert doc["frameworks"]["flask"] == {"buildable": True, "missing": []}
    assert set(doc["frameworks"]) == {"django", "flask", "express", "laravel", "rails", "springboot", "aspnet"}


def test_doctor_reports_missing_tools(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    doc = json_result(invoke("doctor", "--json").stdout, "doctor")
    assert doc["tools"]["git"]["present"] is False
    assert doc["frameworks"]["flask"] == {"buildable": False, "missing": ["python"]}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "verify needs a PATH, or --framework F and --variant"),
        (["--framework", "flask"], "verify needs a PATH, or --framework F and --variant"),
        (["--framework", "cobol", "--variant", "full"], 'unknown framework "cobol"'),
        (["--framework", "rails", "--variant", "full"], "the Ruby on Rails template is not available"),
        (["--framework", "flask", "--variant", "huge"], '--variant "huge" is not one of minimal, api, full'),
        (["--framework", "flask", "--variant", "full", "--database", "oracle"], '--database "oracle" is not one of'),
        (["somewhere", "--framework", "flask"], "give either PATH or --framework/--variant, not both"),
        (["missing-dir"], "missing-dir is not a directory"),
    ],
)
def test_verify_refuses_bad_input(args: list[str], message: str) -> None:
    assert_usage_error(invoke("verify", *args), message, Path.cwd())


def test_verify_refuses_a_directory_that_is_not_a_project() -> None:
    (Path.cwd() / "plain").mkdir()
    assert_usage_error(invoke("verify", "plain"), "is not a stackstart project", Path.cwd(), before=["plain"])


def test_verify_refuses_a_garbled_answers_file() -> None:
    (Path.cwd() / "broken").mkdir()
    (Path.cwd() / "broken" / ".copier-answers.yml").write_text("framework: [unclosed\n")
    assert_usage_error(
        invoke("verify", "broken"),
        "is not a valid stackstart answers file",
        Path.cwd(),
        before=["broken", "broken/.copier-answers.yml"],
    )


@pytest.mark.parametrize(("database", "variable"), [("postgresql", "POSTGRES"), ("mysql", "MYSQL")])
def test_verify_on_a_server_database_needs_a_server(database: str, variable: str) -> None:
    result = invoke("verify", "--framework", "flask", "--variant", "full", "--database", database)
    assert_usage_error(result, f"set STACKSTART_{variable}_URL", Path.cwd())


def test_version_and_module_entry_point() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert "stackstart, version" in result.stdout
    done = subprocess.run(
        [sys.executable, "-m", "stackstart", "--help"], capture_output=True, text=True, env=os.environ, check=False
    )
    assert done.returncode == 0
    assert "Commands:" in done.stdout


def test_spring_boot_base_package() -> None:
    result = invoke("new", "shop", "-f", "spring-boot", "--package", "org.acme.store", "--no-git")
    assert result.exit_code == 0, result.output
    project = Path.cwd() / "shop"
    assert (project / "src" / "main" / "java" / "org" / "acme" / "store" / "Application.java").is_file()
    assert "java_package: org.acme.store" in (project / ".copier-answers.yml").read_text()


def test_an_unexpected_exception_is_an_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(generate, "prepare", crash)
    result = invoke("new", "shop", "-f", "flask")
    assert result.exit_code == INTERNAL_ERROR
    assert result.stderr.startswith("error: internal error: RuntimeError: a bug")
    assert "Traceback" not in result.output
