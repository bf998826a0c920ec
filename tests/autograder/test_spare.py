"""Spare kernels (autograder.spare): a worker starts the kernel of its next job while the current
job runs; the next job takes it, finds it as fresh as a kernel started for it, and a spare that
was started with other settings is never used."""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing as mp
import sys
from dataclasses import replace
from pathlib import Path

import nbformat
import pytest
from grading_helpers import FIXTURE_COURSE, grade, limits, put, source

from autograder import spare
from autograder.sandbox import probe

#: a submission that leaves what it can behind: files in its home, cwd and /tmp, a process,
#: an environment variable, and a look for other kernels' folders
LEAVES = """import os, subprocess
for path in (os.path.expanduser("~/planted"), "planted", "/tmp/planted", "/dev/shm/planted"):
    try:
        open(path, "w").write("left by mallory")
    except OSError as err:
        print("cannot write", path, err)
subprocess.Popen(["sleep", "600"])
os.environ["MALLORY"] = "1"
print("mallory planted")
"""
#: a submission graded after it, on the spare started while mallory's kernel ran
LOOKS = """import os
left = [p for p in (os.path.expanduser("~/planted"), "planted", "/tmp/planted", "/dev/shm/planted")
        if os.path.exists(p)]
procs = [open(f"/proc/{p}/cmdline").read() for p in os.listdir("/proc") if p.isdigit()]
sleeping = [c for c in procs if c.startswith("sleep")]
print("LEFT", left, "SLEEP", sleeping, "ENV", os.environ.get("MALLORY"))
"""


def with_cell(code: str):
    nb = source()
    nb.cells.append(nbformat.v4.new_code_cell(code))
    return nb


@pytest.fixture(scope="module")
def one_worker(tmp_path_factory):
    root = tmp_path_factory.mktemp("spare")
    subs = root / "subs"
    put(subs, "alice", "01_square", source())
    put(subs, "mallory", "01_square", with_cell(LEAVES))
    put(subs, "nora", "01_square", with_cell(LOOKS))
    put(subs, "oscar", "01_square", source())
    return root, grade(subs, root / "out", workers=1)


def outputs(root: Path, student: str) -> str:
    path = next((root / "out" / "autograded" / student).rglob("01_square.ipynb"))
    nb = nbformat.read(path, as_version=4)
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))


@pytest.mark.slow
def test_every_job_takes_a_spare(one_worker):
    """The first one was started by the worker before it took a job (spare.prestart), each
    later one while the job before it ran."""
    _, results = one_worker
    kernels = {student: res.kernel for (student, _), res in sorted(results.items())}
    assert kernels == {"alice": "spare", "mallory": "spare", "nora": "spare", "oscar": "spare"}
    for (student, _), res in results.items():
        assert (res.status, res.score) == ("graded", 3), (student, res.detail)


@pytest.mark.slow
@pytest.mark.skipif(not probe()[0], reason="the sandbox gives each kernel its own /tmp and PIDs")
def test_spare_started_beside_a_submission_is_clean(one_worker):
    root, _ = one_worker
    assert "mallory planted" in outputs(root, "mallory")
    assert "LEFT [] SLEEP [] ENV None" in outputs(root, "nora"), outputs(root, "nora")


def in_process_jobs(subs: Path, out: Path, scratch: Path) -> list:
    """The jobs of ``subs`` on the fixture course, to be graded in this process (job.grade)."""
    from autograder.course import Course
    from autograder.plan import plan_jobs, prepare_template

    template, digest, names = prepare_template(None, FIXTURE_COURSE, private=scratch)
    assert Course(template).release_dir.is_dir()
    return plan_jobs(
        subs,
        names,
        template,
        out=str(out),
        source_hash=digest,
        timeout=60.0,
        cell_timeout=20.0,
        device="cpu",
        limits=limits(),
        sandbox=probe()[0],
        forkserver=True,
        threads=1,
        scratch_root=str(scratch),
    )


@pytest.mark.slow
def test_a_spare_of_other_settings_is_not_taken(tmp_path):
    """In one process: grade a job (which leaves a spare), then a job with other settings: it
    starts its own kernel, and the spare's kernel is stopped."""
    from autograder.job import grade as grade_one
    from autograder.job import run_scratch

    subs = tmp_path / "subs"
    put(subs, "alice", "01_square", source())
    put(subs, "bob", "01_square", source())
    scratch = run_scratch()
    try:
        first, second = in_process_jobs(subs, tmp_path / "out", scratch)
        assert grade_one(first).result.kernel == "new"
        left = spare._SPARE
        assert left is not None
        process = left.km.provisioner.process
        assert process.poll() is None
        other = grade_one(replace(second, threads=2))
        assert (other.result.kernel, other.result.score) == ("new", 3)
        assert process.poll() is not None, "the unused spare still runs"
    finally:
        spare.discard()
        import shutil

        shutil.rmtree(scratch, ignore_errors=True)
    assert sys.modules["autograder.spare"]._SPARE is None


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_pool_forked_after_grading_in_this_process_grades(tmp_path):
    """A process that graded a job itself holds a spare kernel, an event loop, a fork server
    and its folders; a plain ProcessPoolExecutor forked from it afterwards must not use any of
    them (its workers once shut down the parent's spare through the parent's fork server and
    spun on its sockets, and the class never finished)."""
    from autograder.job import grade as grade_one
    from autograder.job import run_scratch

    subs = tmp_path / "subs"
    put(subs, "alice", "01_square", source())
    scratch = run_scratch()
    try:
        (job,) = in_process_jobs(subs, tmp_path / "out", scratch)
        assert grade_one(job).result.score == 3
        assert spare._SPARE is not None  # what the forked workers inherit
        more = tmp_path / "more"
        put(more, "bob", "01_square", source())
        put(more, "carol", "01_square", source())
        with cf.ProcessPoolExecutor(max_workers=2, mp_context=mp.get_context("fork")) as pool:
            results = grade(more, tmp_path / "out-pool", executor=pool)
        assert {s: (r.status, r.score) for (s, _), r in results.items()} == {
            "bob": ("graded", 3),
            "carol": ("graded", 3),
        }
    finally:
        spare.discard()
        import shutil

        shutil.rmtree(scratch, ignore_errors=True)
