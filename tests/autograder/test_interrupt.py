"""Ctrl-C during a run: every kernel dies with its job and no process of the run is left, in
every mode (sandbox / no sandbox x fork server / none); what was graded is kept (issue 12,
section 3). The looping submission: ``hostile/modes/loops_forever.ipynb``."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from grading_helpers import (
    FIXTURE_COURSE,
    HOSTILE,
    alive,
    descendants,
    put,
    run_processes,
    short_tmp,
    source,
    wait_gone,
)

from autograder.course import REPO_ROOT

MODES = HOSTILE / "modes"
pytestmark = pytest.mark.slow


@pytest.fixture
def tmp():
    """The run's temporary folder (TMPDIR): short, the test's own, removed however it ends."""
    path = short_tmp()
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.mark.parametrize(
    "flags",
    [[], ["--no-forkserver"], ["--no-sandbox"], ["--no-sandbox", "--no-forkserver"]],
    ids=["sandbox-forkserver", "sandbox", "forkserver", "neither"],
)
def test_ctrl_c_leaves_no_process_behind_and_keeps_what_was_graded(tmp_path, tmp, flags):
    from autograder.sandbox import probe

    if "--no-sandbox" not in flags and not probe()[0]:
        pytest.skip("bubblewrap is not usable here")
    subs, out = tmp_path / "subs", tmp_path / "out"
    put(subs, "honest", "01_square", source())
    put(subs, "loops", "01_square", MODES / "loops_forever.ipynb")
    cmd = [sys.executable, "-m", "autograder", "autograde", str(subs), "--out", str(out)]
    cmd += ["--source", str(FIXTURE_COURSE), "--workers", "2", "--no-progress"]
    cmd += ["--cell-timeout", "300", "--timeout", "600", *flags]
    if "--no-sandbox" in flags:
        cmd.append("--unsafe-same-user")
    env = {**os.environ, "TMPDIR": str(tmp)}
    log = tmp_path / "stderr.txt"
    with log.open("w") as err:
        proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, start_new_session=True, stderr=err)
    try:
        honest = out / "results" / "honest" / "01_square.json"
        deadline = time.monotonic() + 180
        while not honest.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.3)
        assert honest.exists(), log.read_text()[-2000:]
        time.sleep(2)  # the looping kernel is in its cell by now
        running = descendants(proc.pid) | {p for p, _ in run_processes(str(tmp))}
        kernels = [p for p, cmdline in run_processes(str(tmp)) if "kernel" in cmdline]
        assert kernels or "--no-forkserver" not in flags, running
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, log.read_text()[-2000:]
    deadline = time.monotonic() + 10
    while any(alive(p) for p in running) and time.monotonic() < deadline:
        time.sleep(0.3)
    left = [p for p in running if alive(p)]
    assert left == [], [Path(f"/proc/{p}/cmdline").read_bytes()[:200] for p in left]
    assert wait_gone(str(tmp), seconds=2) == []
    assert list(tmp.iterdir()) == [], "the interrupted run left scratch folders"
    kept = json.loads(honest.read_text())
    assert (kept["status"], kept["score"]) == ("graded", 3)
    assert not (out / "results" / "loops").exists()
