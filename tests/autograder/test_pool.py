"""The local pool charges only the guilty: a submission that kills its worker process is one
``error`` row, and every other submission of the class is graded (autograder/pool.py)."""

from __future__ import annotations

import time

import pytest
from grading_helpers import grade, put, source, with_solution

from autograder.pool import CRASHED_ALONE

#: without the sandbox and the fork server a kernel is a child of the pool's worker process;
#: this one notes its own pid (in PIDS, a folder the test owns) before it kills its worker
KILLS_ITS_WORKER = (
    "import os, signal\n"
    "open(os.path.join({pids!r}, str(os.getpid())), 'w').close()\n"
    "os.kill(os.getppid(), signal.SIGKILL)\n"
    "def double(x):\n    return 2 * x\n"
)


def alive(pid: int) -> bool:
    """Running (a zombie waiting for whoever adopted it to reap it counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


@pytest.mark.slow
def test_a_submission_that_kills_its_worker_is_the_only_one_charged(tmp_path):
    subs = tmp_path / "subs"
    for student in ("a", "b", "c"):
        put(subs, student, "01_square", source())
    pids = tmp_path / "pids"
    pids.mkdir()
    killer_code = KILLS_ITS_WORKER.format(pids=str(pids))
    put(subs, "killer", "01_square", with_solution(source(), "double", killer_code))
    res = grade(
        subs, tmp_path / "out", workers=2, sandbox=False, forkserver=False, unsafe_same_user=True
    )
    killer = res[("killer", "01_square")]
    assert (killer.status, killer.score, killer.max_score) == ("error", 0, 3)
    assert CRASHED_ALONE in killer.detail
    for student in ("a", "b", "c"):
        r = res[(student, "01_square")]
        assert (r.status, r.score) == ("graded", 3), r.detail
    # the kernels whose worker died do not live on running the submission
    kernels = [int(p.name) for p in pids.iterdir()]
    assert kernels, "the killing submission never ran"
    deadline = time.monotonic() + 15
    while any(alive(pid) for pid in kernels) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in kernels if alive(pid)], "a crashed job's kernel is still running"
