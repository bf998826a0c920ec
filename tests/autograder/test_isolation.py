"""No mode in which one submission hurts another (issue 12, sections 3 and 4).

One class, graded once ``--no-sandbox --no-forkserver`` (the mode where a kernel is a plain child
of its pool worker), holds honest students beside a submission that kills its worker, a
submitted file that is a link to the source notebook, student folders that are links (to a
folder outside the submissions, to another student's), and a notebook with a 300,000-character
grade_id; then a rerun grades ``error`` rows again. Submissions: ``hostile/modes/``. The
same-user refusal is in test_same_user.py, Ctrl-C in every mode in test_interrupt.py.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest
from grading_helpers import (
    FIXTURE_COURSE,
    HOSTILE,
    grade,
    honest_class,
    put,
    short_tmp,
    source,
    wait_gone,
)

from autograder.plan import LINKED, OUTSIDE, SYMLINK
from autograder.pool import CRASHED_ALONE
from autograder.results import FIELD_CHARS

MODES = HOSTILE / "modes"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def crash_class(tmp_path_factory, released):
    """The class graded --no-sandbox --no-forkserver; its scratch folders go to a temporary
    folder of the test's own, so that what is left there (and who runs there) can be seen."""
    root = tmp_path_factory.mktemp("crash")
    subs, tmp = root / "subs", short_tmp()
    expected = honest_class(subs, released)
    put(subs, "dave", "01_square", source())
    expected[("dave", "01_square")] = 3
    put(subs, "killer", "01_square", MODES / "kills_its_worker.ipynb")
    put(subs, "longid", "01_square", MODES / "long_grade_id.ipynb")
    (subs / "linker").mkdir()
    (subs / "linker" / "01_square.ipynb").symlink_to(FIXTURE_COURSE / "01_square.ipynb")
    elsewhere = root / "elsewhere"
    put(elsewhere, "x", "01_square", source())
    (subs / "linkdir").symlink_to(elsewhere / "x")
    (subs / "alias").symlink_to(subs / "alice")  # another student's folder, inside SUBMISSIONS
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tempfile, "tempdir", str(tmp))
        res = grade(
            subs,
            root / "out",
            sandbox=False,
            forkserver=False,
            unsafe_same_user=True,
            cell_timeout=30,
        )
    yield res, expected, root, subs, tmp
    shutil.rmtree(tmp, ignore_errors=True)


def test_honest_rows_keep_their_grades_beside_a_worker_killer(crash_class):
    res, expected, *_ = crash_class
    for key, score in expected.items():
        assert (res[key].status, res[key].score) == ("graded", score), res[key].detail
    killer = res[("killer", "01_square")]
    assert (killer.status, killer.score, killer.max_score) == ("error", 0, 3)
    assert CRASHED_ALONE in killer.detail


def test_no_kernel_and_no_scratch_folder_outlive_the_run(crash_class):
    *_, tmp = crash_class
    assert wait_gone(str(tmp)) == [], "a process of the run is still running"
    assert list(tmp.iterdir()) == [], "the run left scratch folders (the source notebook)"


def test_links_are_refused_and_never_read(crash_class):
    res, _, root, *_ = crash_class
    link = res[("linker", "01_square")]
    assert (link.status, link.score) == ("invalid_notebook", 0)
    assert link.detail == SYMLINK.format(name="01_square.ipynb")
    folder = res[("linkdir", "01_square")]
    assert (folder.status, folder.score) == ("invalid_notebook", 0)
    assert folder.detail == OUTSIDE.format(name="linkdir/01_square.ipynb")
    alias = res[("alias", "01_square")]
    assert (alias.status, alias.score) == ("invalid_notebook", 0)
    assert alias.detail == LINKED.format(name="alias/01_square.ipynb")
    # neither the source notebook nor the files behind the links were copied into the output
    for student in ("linker", "linkdir", "alias"):
        assert not (root / "out" / "submitted" / student).exists()


def test_a_huge_grade_id_makes_a_capped_detail_and_the_report_reads_it(crash_class):
    from autograder import cli

    res, _, root, *_ = crash_class
    longid = res[("longid", "01_square")]
    assert longid.score == 3 and len(longid.detail) == FIELD_CHARS, longid.detail[:200]
    assert longid.detail.endswith(" characters in all)")
    assert len((root / "out" / "grades.csv").read_text()) < 20_000
    assert cli.main(["report", str(root / "out")]) == 0


def test_a_rerun_grades_error_rows_again_and_skips_the_rest(crash_class):
    res, _, root, subs, tmp = crash_class
    out = root / "out"
    before = {p.parent.name: p.stat().st_mtime_ns for p in (out / "results").glob("*/*.json")}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tempfile, "tempdir", str(tmp))
        again = grade(subs, out, sandbox=False, forkserver=False, unsafe_same_user=True)
    after = {p.parent.name: p.stat().st_mtime_ns for p in (out / "results").glob("*/*.json")}
    changed = {s for s in after if after[s] != before.get(s)}
    assert changed == {"killer"}, changed
    assert again[("killer", "01_square")].status == "error"
    assert wait_gone(str(tmp)) == [] and list(tmp.iterdir()) == []


def test_a_kernel_whose_worker_died_before_its_python_started_exits(tmp_path):
    """A kernel started as a plain child (no sandbox, no fork server) is told its parent's pid
    (``autograder.kernel.PARENT_ENV``). A worker killed right after it started its spare used
    to leave that spare running: the kernel's Python was still starting, and it took its new
    parent for the one to watch (seen once in a full run of the suite)."""
    import os
    import subprocess
    import sys

    from grading_helpers import limits

    from autograder.kernel import PARENT_ENV

    gone = subprocess.Popen(["true"])
    gone.wait()  # a worker that has already exited
    kernel = subprocess.Popen(
        [sys.executable, "-m", "autograder.kernel", *limits().kernel_args()]
        + ["-f", str(tmp_path / "kernel.json")],
        env={**os.environ, PARENT_ENV: str(gone.pid)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert kernel.wait(timeout=60) == 137
    finally:
        kernel.kill()


@pytest.mark.skipif(os.geteuid() != 0, reason="gives files to another user id: needs root")
def test_a_kernels_folders_are_given_to_it_without_following_links_or_tripping(
    tmp_path, monkeypatch
):
    """What a job puts into its kernel's folders is given to the kernel's user id; a link is
    given itself (never the file it points to), and a file the running (spare) kernel removes
    meanwhile is skipped (a grader error under load before)."""
    from autograder import job

    outside = tmp_path / "outside"
    outside.write_text("not the kernel's")
    home = tmp_path / "home"
    (home / ".ipython").mkdir(parents=True)
    (home / ".ipython" / "history.sqlite").write_text("")
    (home / "link").symlink_to(outside)
    real_walk = os.walk

    def walk_with_a_vanished_file(root):
        for folder, dirs, files in real_walk(root):
            yield folder, dirs, [*files, "history.sqlite-journal"]

    monkeypatch.setattr(job.os, "walk", walk_with_a_vanished_file)
    job._chown_tree(home, 54321)
    assert (home / ".ipython" / "history.sqlite").stat().st_uid == 54321
    assert (home / "link").lstat().st_uid == 54321
    assert outside.stat().st_uid == os.geteuid()
