"""The local pool charges only the guilty: a submission that kills its worker process is one
``error`` row, and every other submission of the class is graded (autograder/pool.py)."""

from __future__ import annotations

import pytest
from conftest import grade, put, source, with_solution

from autograder.pool import CRASHED_ALONE

#: without the sandbox and the fork server a kernel is a child of the pool's worker process
KILLS_ITS_WORKER = (
    "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\ndef double(x):\n    return 2 * x\n"
)


@pytest.mark.slow
def test_a_submission_that_kills_its_worker_is_the_only_one_charged(tmp_path):
    subs = tmp_path / "subs"
    for student in ("a", "b", "c"):
        put(subs, student, "01_square", source())
    put(subs, "killer", "01_square", with_solution(source(), "double", KILLS_ITS_WORKER))
    res = grade(subs, tmp_path / "out", workers=2, sandbox=False, forkserver=False)
    killer = res[("killer", "01_square")]
    assert (killer.status, killer.score, killer.max_score) == ("error", 0, 3)
    assert CRASHED_ALONE in killer.detail
    for student in ("a", "b", "c"):
        r = res[(student, "01_square")]
        assert (r.status, r.score) == ("graded", 3), r.detail
