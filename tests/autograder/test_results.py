"""The result model (autograder/results.py) and the job's pure step, classify (autograder/job.py):
no kernel, no nbgrader run."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from grading_helpers import make_job

from autograder import job as job_mod
from autograder.job import classify
from autograder.plan import Job
from autograder.results import (
    STATUSES,
    Result,
    Status,
    failure,
    file_hash,
    gradebook_scores,
    is_done,
    load,
    record,
    result_path,
    save,
)

GUARD_OK = {"final_report": {"rebound": []}}


def notebook(*cells):
    """Cells given as (grade_id or None, outputs)."""
    nb = nbformat.v4.new_notebook()
    for gid, outputs in cells:
        cell = nbformat.v4.new_code_cell("pass")
        if gid:
            cell.metadata["nbgrader"] = {"grade_id": gid}
        cell.outputs = [nbformat.from_dict(o) for o in outputs]
        nb.cells.append(cell)
    return nb


def error(ename, evalue=""):
    return {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": []}


def run_classify(report, nb=None):
    return classify(report, nb or notebook(), cell_timeout=12, timeout=60, output_limit=1000)


def test_a_clean_run_is_graded():
    assert run_classify(GUARD_OK) == (Status.GRADED, [])


def test_cell_and_notebook_timeouts():
    nb = notebook(("square", []), (None, []))
    status, details = run_classify({**GUARD_OK, "cell_timeouts": [0, 1]}, nb)
    assert status == Status.TIMEOUT
    assert details == [job_mod.TIMEOUT_CELL.format(cells="'square', #2", seconds=12)]
    status, details = run_classify({"timed_out": True})  # no final report: not tampering
    assert (status, details) == (Status.TIMEOUT, [job_mod.TIMEOUT_NOTEBOOK.format(seconds=60)])


def test_kernel_died_before_and_in_a_cell():
    status, details = run_classify({"kernel_died": {"cell": None, "reason": "SIGKILL"}})
    assert status == Status.KERNEL_DIED and "before running any cell (SIGKILL)" in details[0]
    nb = notebook(("setup", []), ("square", []))
    status, details = run_classify({"kernel_died": {"cell": 1, "reason": "exit 9"}}, nb)
    assert (status, details) == (Status.KERNEL_DIED, ["the kernel died in cell 'square' (exit 9)"])


def test_rebound_names_from_outputs_and_final_report_are_tampering():
    from autograder.preprocessors.zero_tampered_tests import TAMPER_MIME

    hit = {
        "output_type": "display_data",
        "metadata": {},
        "data": {TAMPER_MIME: {"rebound": ["torch.allclose"]}},
    }
    nb = notebook(("test_square", [hit]))
    report = {"final_report": {"rebound": ["torch.allclose", "numpy.allclose"]}}
    status, details = run_classify(report, nb)
    assert status == Status.TAMPERED
    assert details == ["rebound torch.allclose, numpy.allclose"]


def test_a_silent_guard_is_tampering_unless_the_run_was_cut_short():
    assert run_classify({}) == (Status.TAMPERED, [job_mod.GUARD_SILENT])
    assert run_classify({"kernel_died": {"cell": None, "reason": "x"}})[0] == Status.KERNEL_DIED


def test_limits_are_told_without_changing_the_status():
    nb = notebook(
        ("square", [error("MemoryError")]),
        ("double", [error("BlockingIOError", "[Errno 11] Resource temporarily unavailable")]),
        (None, [error("RuntimeError", "DefaultCPUAllocator: can't allocate memory")]),
    )
    status, details = run_classify({**GUARD_OK, "output_truncated": True}, nb)
    assert status == Status.GRADED
    assert details == [
        "memory limit reached in cell 'square', #3",
        "process limit reached in cell 'double'",
        "output beyond 1000 bytes was dropped",
    ]


def test_classify_is_pure():
    nb = notebook(("square", [error("MemoryError")]))
    report = {**GUARD_OK, "cell_timeouts": [0]}
    before = (json.dumps(report), nbformat.writes(nb))
    assert run_classify(report, nb) == run_classify(report, nb)
    assert (json.dumps(report), nbformat.writes(nb)) == before


def _job(tmp_path: Path, template: Path, **kw) -> Job:
    sub = tmp_path / "sub" / "01_square.ipynb"
    sub.parent.mkdir(parents=True, exist_ok=True)
    sub.write_text("{}")
    return make_job(
        path=str(sub), out=str(tmp_path / "out"), template=str(template), source_hash="abc", **kw
    )


@pytest.fixture(scope="module")
def template():
    from grading_helpers import FIXTURE_COURSE

    from autograder.plan import prepare_template

    return prepare_template(None, FIXTURE_COURSE)[0]


def test_failure_scores_every_test_zero_and_round_trips(tmp_path, template):
    job = _job(tmp_path, template)
    res = failure(job, "error", "grader error: boom")
    assert res.status is Status.ERROR and res.score == 0 and res.max_score == 3
    assert res.tests == {"test_square": [0.0, 2.0], "test_double": [0.0, 1.0]}
    assert (res.submitted_as, res.submission_hash) == ("01_square.ipynb", file_hash(Path(job.path)))
    path = save(res, Path(job.out))
    assert path == result_path(Path(job.out), "s", "01_square") == job.result_path
    assert load(path) == res and isinstance(load(path).status, Status)
    assert not is_done(job)  # the grader's own failure is no verdict: graded again
    for status in ("graded", "timeout", "kernel_died", "tampered", "invalid_notebook"):
        save(failure(job, status, "x"), Path(job.out))
        assert is_done(job), status
    Path(job.path).write_text('{"changed": 1}')  # a new submission is graded again
    assert not is_done(job)


def test_details_and_csv_fields_are_capped_and_csv_is_read_back(tmp_path, template):
    from autograder.results import FIELD_CHARS, merge, read_grades, read_tests

    job = _job(tmp_path, template)
    huge = "x" * 300_000
    res = failure(job, Status.INVALID_NOTEBOOK, f"unknown cell '{huge}'")
    assert len(res.detail) == FIELD_CHARS and res.detail.endswith("... (300015 characters in all)")
    save(res, Path(job.out))
    # a record written before the cap (by an older grader) is capped in the CSV all the same
    raw = json.loads(job.result_path.read_text())
    raw["detail"], raw["tests"] = huge, {huge: [0.0, 1.0]}
    job.result_path.write_text(json.dumps(raw))
    merge(Path(job.out), template, [job])
    (row,) = read_grades(Path(job.out))
    assert len(row["detail"]) == FIELD_CHARS and row["status"] == "invalid_notebook"
    assert max(len(t["test"]) for t in read_tests(Path(job.out))) == FIELD_CHARS
    # a CSV with a field beyond csv's default limit (131072) is read back
    grades = Path(job.out) / "grades.csv"
    grades.write_text(grades.read_text().replace(row["detail"], huge))
    assert len(read_grades(Path(job.out))[0]["detail"]) == len(huge)


def test_the_template_is_checked_file_by_file_and_copied_for_the_run(tmp_path, monkeypatch):
    from grading_helpers import FIXTURE_COURSE

    from autograder.plan import MANIFEST, prepare_template

    monkeypatch.setenv("CS231N_AUTOGRADER_CACHE", str(tmp_path / "cache"))
    cached, digest, _ = prepare_template(None, FIXTURE_COURSE)
    assert cached.parent == tmp_path / "cache" / "templates" and (cached / MANIFEST).exists()
    # a poisoned cache entry (the folder's name still right): found and built again
    src = cached / "notebooks" / "01_square.ipynb"
    honest = src.read_bytes()
    src.write_bytes(honest.replace(b"assert", b"pass #"))
    run = tmp_path / "run"
    run.mkdir()
    private, digest2, _ = prepare_template(None, FIXTURE_COURSE, private=run)
    assert digest2 == digest and private == run / "template"
    assert (private / "notebooks" / "01_square.ipynb").read_bytes() == honest
    assert src.read_bytes() == honest  # the cache entry was rebuilt too
    # the run grades against its own copy: a later change to the cache does not reach it
    src.write_bytes(b"poison")
    assert (private / "notebooks" / "01_square.ipynb").read_bytes() == honest


def test_failure_of_a_file_that_is_no_course_notebook(tmp_path, template):
    res = failure(_job(tmp_path, template, notebook="99_other"), Status.INVALID_NOTEBOOK, "x")
    assert (res.max_score, res.tests) == (0.0, {})


def test_one_score_query_for_templates(template):
    score, max_score, tests = gradebook_scores(template / "gradebook.db", "02_mean")
    assert (score, max_score, tests) == (0.0, 2.0, {"test_safe_mean": [0.0, 2.0]})


def test_statuses_and_record():
    assert STATUSES == ("graded", "timeout", "kernel_died", "invalid_notebook", "tampered", "error")
    assert f"{Status.KERNEL_DIED}" == "kernel_died" and Status.GRADED == "graded"
    job = make_job(
        notebook="n",
        path="/nonexistent/n.ipynb",
        template="/t",
        source_hash="h",
        timeout=1,
        cell_timeout=1,
    )
    res = record(job, status="graded", detail="", score=2.0, max_score=3.0)
    assert isinstance(res, Result) and res.submission_hash == "" and res.source_hash == "h"
