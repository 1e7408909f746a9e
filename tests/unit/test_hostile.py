"""A hostile environment: closed stdin, no git, unusable output folders, broken tools, contradictory flags.

Every failure is one `error:` line on stderr with the right exit code, and
nothing is written. Most run the real `python -m stackstart` in a subprocess,
because what they attack (file descriptors, PATH, privileges) is the process.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from stackstart import cli, generate, project_files
from stackstart.errors import ToolError
from tests.helpers import json_result
from tests.unit.signal_helpers import listing
from tests.unit.test_cli import invoke

IS_ROOT = os.geteuid() == 0


def stackstart(
    *args: str, env: dict[str, str] | None = None, shell_suffix: str = ""
) -> subprocess.CompletedProcess[str]:
    """`python -m stackstart ARGS` in the current directory (``shell_suffix``: redirections such as ``0<&-``)."""
    command = [sys.executable, "-m", "stackstart", *args]
    if shell_suffix:
        command = ["sh", "-c", 'exec "$@" ' + shell_suffix, "sh", *command]
    return subprocess.run(command, env=env or dict(os.environ), capture_output=True, text=True, check=False)


def assert_one_line(stderr: str, *expected: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: "), stderr
    for text in expected:
        assert text in lines[0], stderr
    return lines[0]


# ---------------------------------------------------------------- 4. closed stdin


def test_closed_stdin_is_not_a_terminal_so_flags_and_defaults_decide() -> None:
    done = stackstart("new", "shop", "-f", "flask", "--no-git", shell_suffix="0<&-")
    assert done.returncode == 0, done.stderr
    assert (Path.cwd() / "shop" / ".copier-answers.yml").is_file()


def test_closed_stdin_without_a_framework_is_one_line() -> None:
    done = stackstart("new", "shop", shell_suffix="0<&-")
    assert done.returncode == 2
    assert_one_line(done.stderr, "missing --framework")
    assert listing(Path.cwd()) == []


# ---------------------------------------------------------------- 5. no git at all


@pytest.fixture
def path_without_git(tmp_path: Path) -> str:
    """A PATH holding only python3: no git, no sh, nothing else."""
    bin_dir = tmp_path / "only-python"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(sys.executable)
    return str(bin_dir)


def test_no_git_on_path_with_no_git_renders_the_same_project(path_without_git: str) -> None:
    flags = ["-f", "flask", "--auth", "--docker", "--no-git"]
    with_git = stackstart("new", "shop", *flags, "-o", "with-git")
    assert with_git.returncode == 0, with_git.stderr
    without = stackstart("new", "shop", *flags, "-o", "without", env={**os.environ, "PATH": path_without_git})
    assert without.returncode == 0, without.stderr
    one, two = Path.cwd() / "with-git" / "shop", Path.cwd() / "without" / "shop"
    assert listing(one) == listing(two)
    for name in listing(one):
        if (one / name).is_file() and name != ".env":
            assert (one / name).read_bytes() == (two / name).read_bytes(), name
    answers = (two / ".copier-answers.yml").read_text()
    assert "_commit: v" in answers  # so that `update` finds the release once git is installed
    assert "_src_path: ~/.local/share/stackstart/templates.bundle" in answers


def test_no_git_on_path_dry_run_with_no_git(path_without_git: str) -> None:
    done = stackstart(
        "new", "shop", "-f", "flask", "--no-git", "--dry-run", env={**os.environ, "PATH": path_without_git}
    )
    assert done.returncode == 0, done.stderr
    assert "  .env" in done.stdout
    assert listing(Path.cwd()) == []


def test_no_git_on_path_with_git_wanted_is_a_usage_error(path_without_git: str) -> None:
    done = stackstart("new", "shop", "-f", "flask", env={**os.environ, "PATH": path_without_git})
    assert done.returncode == 2
    assert_one_line(done.stderr, "git is not installed (install it, or pass --no-git)")
    assert listing(Path.cwd()) == []


# ---------------------------------------------------------------- 6. prompts never contradict flags


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "_interactive", lambda: True)


@pytest.mark.usefixtures("terminal")
def test_enter_at_every_prompt_after_admin_is_not_a_contradiction() -> None:
    result = invoke("new", "shop", "-f", "flask", "--admin", "--no-git", input="\n" * 10)
    assert result.exit_code == 0, result.output
    assert "Users, token login" not in result.output  # auth is not asked: --admin decided it
    assert "Database (sqlite, postgresql, mysql) [sqlite]:" in result.output  # none is not offered
    answers = (Path.cwd() / "shop" / ".copier-answers.yml").read_text()
    assert "auth: true" in answers
    assert "admin: true" in answers


@pytest.mark.usefixtures("terminal")
def test_prompt_labels_keep_their_capitals() -> None:
    result = invoke("new", "shop", "-f", "flask", "--no-git", input="\n" * 10)
    assert result.exit_code == 0, result.output
    assert "CI workflow in the output" in result.output
    assert "Ci workflow" not in result.output


@pytest.mark.usefixtures("terminal")
def test_input_ending_at_a_prompt_is_one_line() -> None:
    result = invoke("new", "shop", "-f", "flask", "--no-git", input="")
    assert result.exit_code == 2
    assert_one_line(result.stderr, "input ended before every question was answered")
    assert listing(Path.cwd()) == []


# ---------------------------------------------------------------- 7. unusable --output


def assert_refused(done: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert done.returncode == 2, done.stderr
    assert_one_line(done.stderr, "cannot create a project in", *expected)


@pytest.mark.parametrize(
    ("output", "reason"),
    [
        ("/proc", "no such file or directory"),
        ("/proc/self/fd/deeper", ""),
        ("/sys/kernel", ""),
    ],
)
def test_pseudo_file_systems_are_refused(output: str, reason: str) -> None:
    done = stackstart("new", "shop", "-f", "flask", "--no-git", "--output", output)
    assert_refused(done, reason)
    assert not Path(output, "shop").exists()
    assert listing(Path.cwd()) == []


def test_output_below_a_file_is_refused() -> None:
    (Path.cwd() / "notes.txt").write_text("mine")
    done = stackstart("new", "shop", "-f", "flask", "--output", "notes.txt/sub")
    assert_refused(done, "notes.txt is a file, not a directory")
    assert listing(Path.cwd()) == ["notes.txt"]


def test_output_through_a_symlink_loop_is_refused() -> None:
    (Path.cwd() / "loop").symlink_to("loop")
    done = stackstart("new", "shop", "-f", "flask", "--output", "loop/sub")
    assert_refused(done, "symbolic link loop")
    assert listing(Path.cwd()) == ["loop"]


def test_output_through_a_broken_symlink_is_refused() -> None:
    (Path.cwd() / "gone").symlink_to("nowhere")
    done = stackstart("new", "shop", "-f", "flask", "--output", "gone/sub")
    assert_refused(done, "broken symbolic link")
    assert listing(Path.cwd()) == ["gone"]


def test_output_that_is_a_file_is_refused() -> None:
    (Path.cwd() / "notes.txt").write_text("mine")
    done = stackstart("new", "shop", "-f", "flask", "--output", "notes.txt")
    assert done.returncode == 2
    assert_one_line(done.stderr, "notes.txt")
    assert listing(Path.cwd()) == ["notes.txt"]


def _without_dac_override() -> list[str]:
    """A command prefix that runs as this user but without root's power to ignore file modes."""
    if not IS_ROOT:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root and setpriv is missing: cannot drop CAP_DAC_OVERRIDE")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-dac_override,-dac_read_search"]


@pytest.mark.parametrize("mode", [0o555, 0o500])
def test_a_read_only_directory_is_refused(mode: int) -> None:
    locked = Path.cwd() / "locked"
    locked.mkdir()
    locked.chmod(mode)
    try:
        done = subprocess.run(
            [
                *_without_dac_override(),
                sys.executable,
                "-m",
                "stackstart",
                "new",
                "shop",
                "-f",
                "flask",
                "-o",
                "locked",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert_refused(done, "is not writable for you")
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)


@pytest.fixture
def read_only_mount(tmp_path: Path) -> Iterator[Path]:
    if not IS_ROOT or shutil.which("mount") is None:
        pytest.skip("mounting a read-only file system needs root")
    where = tmp_path / "ro"
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(where)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=True)


def test_a_read_only_file_system_is_refused(read_only_mount: Path) -> None:
    done = stackstart("new", "shop", "-f", "flask", "--output", str(read_only_mount / "deeper"))
    assert_refused(done, "is on a read-only file system")


def test_an_immutable_directory_is_refused() -> None:
    if not IS_ROOT or shutil.which("chattr") is None:
        pytest.skip("chattr +i needs root")
    frozen = Path.cwd() / "frozen"
    frozen.mkdir()
    if subprocess.run(["chattr", "+i", str(frozen)], capture_output=True).returncode != 0:
        pytest.skip("this file system does not support the immutable attribute")
    try:
        done = stackstart("new", "shop", "-f", "flask", "--output", "frozen")
        assert_refused(done, "is not writable for you")
        assert list(frozen.iterdir()) == []
    finally:
        subprocess.run(["chattr", "-i", str(frozen)], check=True)


# ---------------------------------------------------------------- 7. a non-UTF-8 answers file


def test_an_answers_file_that_is_not_utf8_is_a_usage_error() -> None:
    project = Path.cwd() / "old"
    project.mkdir()
    (project / ".copier-answers.yml").write_bytes(b"framework: flask\nproject_name: caf\xe9\n")
    result = invoke("verify", "old")
    assert result.exit_code == 2
    assert_one_line(result.stderr, "is not UTF-8 text")


# ---------------------------------------------------------------- 8. one line, whatever the tool printed


def test_a_multi_line_tool_error_is_one_line_and_debug_shows_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(*args: Any, **kwargs: Any) -> None:
        raise ToolError.from_output(
            "git init failed", "error: could not write config file\nfatal: No space left on device\n\nhint: free some"
        )

    monkeypatch.setattr(generate, "create", failing)
    result = invoke("new", "shop", "-f", "flask")
    assert result.exit_code == 1
    assert_one_line(result.stderr, "git init failed: could not write config file", "--debug")
    debug = invoke("--debug", "new", "shop", "-f", "flask")
    assert "No space left on device" in debug.stderr
    assert "Traceback" in debug.stderr


@pytest.mark.parametrize("kind", ["missing", "plain directory", "garbage file"])
def test_a_bad_template_source_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    source = tmp_path / "source"
    if kind == "plain directory":
        source.mkdir()
    elif kind == "garbage file":
        source.write_text("not a bundle\n")
    monkeypatch.setenv("STACKSTART_TEMPLATE_SOURCE", str(source))
    for args in (["new", "shop", "-f", "flask"], ["new", "shop", "-f", "flask", "--dry-run"]):
        result = invoke(*args)
        assert result.exit_code == 2, result.output
        assert_one_line(result.stderr, "STACKSTART_TEMPLATE_SOURCE=")
    assert listing(Path.cwd()) == []


def test_a_project_name_with_a_newline_stays_on_one_line() -> None:
    result = invoke("new", "shop\nrm -rf /", "-f", "flask")
    assert result.exit_code == 2
    line = assert_one_line(result.stderr, r'"shop\nrm -rf /"')
    assert "\\n" in line


def test_a_full_disk_during_git_init_is_one_line_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not IS_ROOT or shutil.which("mount") is None:
        pytest.skip("mounting a small file system needs root")
    disk = tmp_path / "disk"
    disk.mkdir()
    # room for Copier's clone of the whole template (it lives in the staging folder) and the render; then filled
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    real_write_env = project_files.write_env

    def write_env_then_fill_the_disk(project: Path, wanted: Any) -> None:
        real_write_env(project, wanted)
        # unbuffered: a buffered file would retry the unwritten tail on close and raise ENOSPC from there
        with (disk / "filler").open("wb", buffering=0) as filler:
            try:
                while True:
                    filler.write(b"\0" * 65536)
                    filler.flush()
            except OSError as full:
                if full.errno != errno.ENOSPC:
                    raise

    monkeypatch.setattr(project_files, "write_env", write_env_then_fill_the_disk)
    try:
        result = invoke("new", "shop", "-f", "flask", "--output", str(disk))
        assert result.exit_code == 1, result.output
        assert_one_line(result.stderr, "git init failed", "No space left on device")
        assert sorted(p.name for p in disk.iterdir()) == ["filler"]  # no staging directory, no .env
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_a_psql_failure_in_verify_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    if shutil.which("psql") is None:
        pytest.skip("psql is not installed")
    monkeypatch.setenv("STACKSTART_POSTGRES_URL", "postgresql://nobody:wrong@127.0.0.1:1/postgres")
    result = invoke("verify", "-f", "flask", "--variant", "api", "--database", "postgresql")
    assert result.exit_code == 1, result.output
    assert_one_line(result.stderr, "psql failed")


# ---------------------------------------------------------------- 9. verify --keep and a usage error


@pytest.mark.parametrize(
    "args",
    [
        ["plain", "--keep"],
        ["--keep", "-f", "flask", "--variant", "full", "--database", "postgresql"],
    ],
)
def test_verify_keep_with_a_usage_error_leaves_no_temp_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    (Path.cwd() / "plain").mkdir()
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.delenv("STACKSTART_POSTGRES_URL", raising=False)
    result = invoke("verify", *args)
    assert result.exit_code == 2, result.output
    assert listing(temp) == []


# ---------------------------------------------------------------- 10. messages


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-f", "flask", "-f", "django"], "--framework given more than once, as flask and django"),
        (["-f", "flask", "--auth", "--no-auth"], "--auth and --no-auth contradict each other"),
        (["-f", "flask", "--no-admin", "--admin"], "--admin and --no-admin contradict each other"),
        (["-f", "flask", "--database", "sqlite", "--database", "mysql"], "--database given more than once"),
        (["-f", "flask", "--ci", "github", "--ci", "none"], "--ci given more than once"),
        (["-f", "flask", "--git", "--no-git"], "--git and --no-git contradict each other"),
        (["-f", "flask", "-o", "a", "--output", "b"], "--output given more than once"),
        (["-f", "spring", "--package", "com.a.b", "--package", "com.c.d"], "--package given more than once"),
    ],
)
def test_contradictory_repeats_are_refused(args: list[str], message: str) -> None:
    result = invoke("new", "shop", *args)
    assert result.exit_code == 2
    assert_one_line(result.stderr, message)
    assert listing(Path.cwd()) == []


@pytest.mark.parametrize(
    "args",
    [["-f", "flask", "-f", "flask"], ["-f", "spring", "-f", "springboot"], ["-f", "flask", "--auth", "--auth"]],
)
def test_repeating_the_same_choice_is_fine(args: list[str]) -> None:
    result = invoke("new", "shop", *args, "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    assert json_result(result.stdout, "new")["dry_run"] is True


def test_new_help_says_which_frameworks_are_not_available_yet() -> None:
    result = invoke("new", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "django flask express springboot (not available yet: laravel rails aspnet)" in text


def test_usage_errors_of_click_are_one_line_too() -> None:
    for args in (["new"], ["new", "shop", "--frobnicate"], ["new", "shop", "--database"], ["nope"]):
        result: Result = invoke(*args)
        assert result.exit_code == 2
        assert_one_line(result.stderr)
