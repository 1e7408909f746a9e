"""Defect 6: an update is all or nothing, whatever stops it.

Real signals go to a real ``python -m stackstart update`` subprocess. To hit exact
moments without timing guesses, the update pauses where ``STACKSTART_PAUSE_AT``
says (writing the point's name to ``STACKSTART_PAUSE_FILE``) and the test sends
the signal then. A second test sends signals at spread-out delays with no pause
at all, and checks the same invariant: either the project is byte for byte as
before, or the update finished completely.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import json_result
from tests.update.conftest import TemplateRepo, commit_all, git
from tests.update.test_update import edit

pytestmark = pytest.mark.update

Snapshot = dict[str, object]


def snapshot(project: Path) -> Snapshot:
    """Every byte the user could lose: work tree (ignored files too), index, HEAD and the branch it names."""
    tree: dict[str, object] = {}
    for path in sorted(project.rglob("*")):
        rel = path.relative_to(project).as_posix()
        if rel == ".git" or rel.startswith(".git/"):
            continue
        mode = path.lstat().st_mode
        if path.is_symlink():
            tree[rel] = ("link", os.readlink(path))
        elif path.is_dir():
            tree[rel] = ("dir",)
        else:
            tree[rel] = ("file", oct(mode), path.read_bytes())
    dot_git = project / ".git"
    refs = {p.relative_to(dot_git).as_posix(): p.read_bytes() for p in (dot_git / "refs").rglob("*") if p.is_file()}
    return {
        "tree": tree,
        "index": (dot_git / "index").read_bytes(),
        "HEAD": (dot_git / "HEAD").read_bytes(),
        "refs": refs,
    }


def diff(before: Snapshot, after: Snapshot) -> list[str]:
    problems = [key for key in ("index", "HEAD", "refs") if before[key] != after[key]]
    a, b = before["tree"], after["tree"]
    assert isinstance(a, dict)
    assert isinstance(b, dict)
    for name in sorted(set(a) | set(b)):
        if a.get(name) != b.get(name):
            problems.append(f"{name}: {'gone' if name not in b else 'new' if name not in a else 'changed'}")
    return problems


def v2(flask: Path) -> None:
    (flask / "CHANGELOG.md").write_text("# Changes\n\n- v2\n")
    edit(flask / "README.md.jinja", "# {{ project_title }}\n", "# {{ project_title }} service\n")
    (flask / ".gitignore").write_text((flask / ".gitignore").read_text() + "*.log\n")
    example = flask / ".env.example.jinja"
    example.write_text(example.read_text() + "\nLOG_LEVEL=info\n")


@pytest.fixture
def scene(template_repo: TemplateRepo, tmp_path: Path) -> tuple[Path, Path]:
    """A v1 project with user edits (one will conflict) and an ignored .env, and the template released as v2."""
    project = template_repo.new(tmp_path / "p", template_repo.release("v1"))
    readme = project / "README.md"
    edit(readme, "# Shop\n", "# Shop, our store\n")
    readme.write_text(readme.read_text() + "\n## Our own section\n\nLines only we wrote.\n")
    (project / "NOTES.md").write_text("ours\n")
    commit_all(project, "our edits")
    (project / "instance").mkdir()
    (project / "instance" / "shop.db").write_bytes(b"SQLite format 3\0 our data")
    template_repo.release("v2", v2)
    return project, template_repo.path


def run_update(
    project: Path, source: Path, tmpdir: Path, *args: str, pause: str | None = None, pause_file: Path | None = None
) -> subprocess.Popen[str]:
    env = {**os.environ, "STACKSTART_TEMPLATE_SOURCE": str(source), "TMPDIR": str(tmpdir)}
    if pause is not None:
        assert pause_file is not None
        env |= {"STACKSTART_PAUSE_AT": pause, "STACKSTART_PAUSE_FILE": str(pause_file)}
    return subprocess.Popen(
        [sys.executable, "-m", "stackstart", "update", str(project), "--auth", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a signal for this update only, as `kill PID` sends it
    )


def wait_for(path: Path, process: subprocess.Popen[str], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"update ended ({process.returncode}) before pausing: {out}{err}")
        assert time.monotonic() < deadline, "the update never reached its pause point"
        time.sleep(0.02)


def reference(project: Path, source: Path, tmp_path: Path) -> Path:
    """The same project updated without interruption, for comparison."""
    copy = tmp_path / "reference" / project.name
    shutil.copytree(project, copy, symlinks=True)
    done = subprocess.run(
        [sys.executable, "-m", "stackstart", "update", str(copy), "--auth"],
        env={**os.environ, "STACKSTART_TEMPLATE_SOURCE": str(source)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 4, done.stderr  # README conflicts
    return copy


def same_update(project: Path, ref: Path) -> None:
    """``project`` holds exactly what the uninterrupted update gave ``ref`` (.env's values aside: fresh secrets)."""
    mine, theirs = snapshot(project)["tree"], snapshot(ref)["tree"]
    assert isinstance(mine, dict)
    assert isinstance(theirs, dict)
    assert sorted(mine) == sorted(theirs)
    assert [n for n in mine if n != ".env" and mine[n] != theirs[n]] == []
    keys = [line.split("=")[0] for line in (project / ".env").read_text().splitlines()]
    assert keys == [line.split("=")[0] for line in (ref / ".env").read_text().splitlines()]
    status = ["git", "--no-optional-locks", "status", "--porcelain"]
    assert git(project, *status[1:]) == git(ref, *status[1:])


def no_leftovers(project: Path, tmpdir: Path) -> None:
    assert list(tmpdir.iterdir()) == [], "temporary files left in $TMPDIR"
    assert not (project / ".git" / "stackstart-update").exists()


CATCHABLE = [
    ("SIGTERM", "merged"),  # merged in the scratch clone, nothing written yet
    ("SIGINT", "write:1"),  # the first file replaced
    ("SIGHUP", "write:5"),
    ("SIGTERM", "index"),  # every file and the index written, the journal not yet removed
]


@pytest.mark.parametrize(("signame", "point"), CATCHABLE, ids=[f"{s}-{p}" for s, p in CATCHABLE])
def test_a_signal_leaves_the_project_exactly_as_before(
    scene: tuple[Path, Path], tmp_path: Path, signame: str, point: str
) -> None:
    project, source = scene
    before = snapshot(project)
    tmpdir, flag = tmp_path / "tmp", tmp_path / "paused"
    tmpdir.mkdir()
    process = run_update(project, source, tmpdir, pause=point, pause_file=flag)
    wait_for(flag, process)
    os.kill(process.pid, getattr(signal, signame))
    out, err = process.communicate(timeout=60)
    assert process.returncode == 128 + getattr(signal, signame), out + err  # as shells report a signal
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: interrupted"), err
    assert "exactly as it was" in lines[0]
    assert diff(before, snapshot(project)) == []
    no_leftovers(project, tmpdir)


def test_after_sigkill_the_next_update_restores_then_updates(scene: tuple[Path, Path], tmp_path: Path) -> None:
    project, source = scene
    ref = reference(project, source, tmp_path)
    pristine = tmp_path / "pristine"
    shutil.copytree(project, pristine, symlinks=True)
    for point in ("journal", "write:5", "done"):
        shutil.rmtree(project)
        shutil.copytree(pristine, project, symlinks=True)
        before = snapshot(project)
        tmpdir, flag = tmp_path / f"tmp-{point}", tmp_path / f"paused-{point}"
        tmpdir.mkdir()
        process = run_update(project, source, tmpdir, pause=point, pause_file=flag)
        wait_for(flag, process)
        os.kill(process.pid, signal.SIGKILL)
        process.communicate(timeout=60)

        if point == "journal":  # looking is harmless, and says what to do
            check = subprocess.run(
                [sys.executable, "-m", "stackstart", "update", str(project), "--dry-run"],
                env={**os.environ, "STACKSTART_TEMPLATE_SOURCE": str(source), "TMPDIR": str(tmpdir)},
                capture_output=True,
                text=True,
                check=False,
            )
            assert check.returncode == 2, check.stderr
            assert "interrupted" in check.stderr
            assert "stackstart update" in check.stderr
            assert len(check.stderr.strip().splitlines()) == 1

        again = run_update(project, source, tmpdir, "--json")
        out, err = again.communicate(timeout=120)
        assert again.returncode == 4, err
        assert "restored" in err
        doc = json_result(out, "update")
        assert "README.md" in [c["path"] for c in doc["conflicted"]]
        same_update(project, ref)
        assert before["HEAD"] == snapshot(project)["HEAD"]
        no_leftovers(project, tmpdir)


def test_signals_at_any_moment_give_all_or_nothing(scene: tuple[Path, Path], tmp_path: Path) -> None:
    """No pause: SIGTERM after spread-out delays. Each outcome is "as before" or "fully updated"."""
    project, source = scene
    ref = reference(project, source, tmp_path)
    pristine = tmp_path / "pristine"
    shutil.copytree(project, pristine, symlinks=True)
    started = time.monotonic()
    reference(pristine, source, tmp_path / "timing")
    duration = time.monotonic() - started
    outcomes = []
    for fraction in (0.5, 0.8, 0.95):
        shutil.rmtree(project)
        shutil.copytree(pristine, project, symlinks=True)
        before = snapshot(project)
        tmpdir = tmp_path / f"tmp-{fraction}"
        tmpdir.mkdir()
        process = run_update(project, source, tmpdir)
        time.sleep(duration * fraction)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=120)
        if diff(before, snapshot(project)) == []:
            assert process.returncode == 128 + signal.SIGTERM, err  # caught, rolled back (or not begun)
            outcomes.append("before")
        else:  # finished first: conflicts (4), or the signal came while the result was printed (143)
            # or while the interpreter shut down, when Python has put the default handlers back (-15)
            assert process.returncode in (4, 128 + signal.SIGTERM, -signal.SIGTERM), err
            assert process.returncode != 128 + signal.SIGTERM or "was complete" in err, err
            same_update(project, ref)
            outcomes.append("after")
        no_leftovers(project, tmpdir)
    assert outcomes  # the outcomes themselves depend on the machine's speed; each one was checked above


def test_sigkill_before_any_write_leaves_only_scratch_that_the_next_run_removes(
    scene: tuple[Path, Path], tmp_path: Path
) -> None:
    project, source = scene
    before = snapshot(project)
    tmpdir, flag = tmp_path / "tmp", tmp_path / "paused"
    tmpdir.mkdir()
    process = run_update(project, source, tmpdir, pause="merged", pause_file=flag)
    wait_for(flag, process)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=60)
    assert diff(before, snapshot(project)) == []
    again = run_update(project, source, tmpdir, "--dry-run")
    _, err = again.communicate(timeout=120)
    assert again.returncode == 4, err
    assert diff(before, snapshot(project)) == []
    no_leftovers(project, tmpdir)


def test_files_edited_after_a_sigkill_are_not_restored_over(scene: tuple[Path, Path], tmp_path: Path) -> None:
    project, source = scene
    tmpdir, flag = tmp_path / "tmp", tmp_path / "paused"
    tmpdir.mkdir()
    process = run_update(project, source, tmpdir, pause="written", pause_file=flag)
    wait_for(flag, process)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=60)
    (project / "CHANGELOG.md").write_text("edited after the crash\n")
    after_edit = snapshot(project)
    again = run_update(project, source, tmpdir)
    _, err = again.communicate(timeout=120)
    assert again.returncode == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "CHANGELOG.md" in lines[0]
    assert "interrupted" in lines[0]
    assert diff(after_edit, snapshot(project)) == []
