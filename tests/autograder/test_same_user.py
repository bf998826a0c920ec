"""Kernels that would keep the grader's own user id without a sandbox: refused unless
``--unsafe-same-user``, and then the report says so first (issue 12, section 3). Run for real:
the grader as user 65534, which cannot drop to another user id, with ``--no-sandbox``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from grading_helpers import FIXTURE_COURSE, put, source

from autograder.course import REPO_ROOT

pytestmark = pytest.mark.slow


def _as_nobody(args: list[str], home: Path) -> subprocess.CompletedProcess:
    """``python -m autograder ARGS`` as user 65534, which cannot drop to another user id.
    Python lives under /root (mode 0700) here: a private mount namespace opens a path to it."""
    prefix = Path(sys.base_prefix).resolve()
    if not prefix.is_relative_to("/root"):
        script = ""
    else:
        stage = home / "stage"
        stage.mkdir(exist_ok=True)
        script = (
            f"mount --bind /root/.pyenv {stage} && mount -t tmpfs -o mode=755 tmpfs /root && "
            f"mkdir /root/.pyenv && mount --bind {stage} /root/.pyenv && "
        )
        assert prefix.is_relative_to("/root/.pyenv"), prefix
    args = [*args, "--source", str(FIXTURE_COURSE)] if args[0] == "autograde" else args
    env = f"env HOME={home} CS231N_AUTOGRADER_CACHE={home / 'cache'} PYTHONDONTWRITEBYTECODE=1"
    cmd = (
        f"{script}cd {REPO_ROOT} && exec setpriv --reuid=65534 --regid=65534 --clear-groups "
        f"{env} {sys.executable} -m autograder " + " ".join(args)
    )
    return subprocess.run(
        ["unshare", "-m", "--propagation", "private", "sh", "-c", cmd],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def nobody_home():
    if os.geteuid() != 0 or not shutil.which("setpriv") or not shutil.which("unshare"):
        pytest.skip("needs root, setpriv and unshare to run the grader as another user")
    home = Path(tempfile.mkdtemp(prefix="cs231n-nobody-"))
    os.chmod(home, 0o777)
    put(home / "subs", "alice", "01_square", source())
    for p in [home / "subs", *(home / "subs").rglob("*")]:
        os.chmod(p, 0o777 if p.is_dir() else 0o666)
    yield home
    shutil.rmtree(home, ignore_errors=True)


def test_kernels_with_the_graders_own_user_id_are_refused(nobody_home):
    from autograder.grade import SAME_USER_LOCAL

    out = nobody_home / "refused"
    base = ["autograde", str(nobody_home / "subs"), "--out", str(out), "--no-progress"]
    proc = _as_nobody([*base, "--no-sandbox", "--no-forkserver"], nobody_home)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "refusing to grade: " + SAME_USER_LOCAL in proc.stderr
    assert "--unsafe-same-user" in proc.stderr
    assert not (out / "results").exists() and not (out / "grades.csv").exists()


def test_unsafe_same_user_grades_and_the_report_says_so(nobody_home):
    from autograder.report import SAME_USER_RUN

    out = nobody_home / "unsafe"
    args = ["autograde", str(nobody_home / "subs"), "--out", str(out), "--no-progress"]
    args += ["--no-sandbox", "--no-forkserver", "--unsafe-same-user", "--workers", "1"]
    proc = _as_nobody(args, nobody_home)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "--unsafe-same-user" in proc.stderr  # warned while grading
    assert json.loads((out / "run.json").read_text())["same_user"] is True
    row = (out / "grades.csv").read_text().splitlines()[1]
    assert row.startswith("alice,01_square,3,3,graded"), row
    proc = _as_nobody(["report", str(out)], nobody_home)
    assert proc.returncode == 0, proc.stderr[-2000:]
    page = (out / "report" / "index.html").read_text()
    assert "NOT PROTECTED" in page and page.index("NOT PROTECTED") < page.index("Protection")
    assert SAME_USER_RUN.split(":")[0] in page
