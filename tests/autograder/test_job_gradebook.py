"""The course's ``OverwriteCells`` and ``SaveAutoGrades`` (autograder.job_gradebook: the
gradebook read once per notebook, written in one commit) leave the same notebook, the same
warnings and the same gradebook rows as nbgrader's own, on submissions that take each of their
branches: answered, untouched, failing tests, a locked cell edited, points and a cell type
changed, a test cell deleted, a cell nbgrader does not know, a task and a manually graded answer.
"""

from __future__ import annotations

import copy
import logging
import shutil

import nbformat
import pytest
from grading_helpers import FIXTURE_COURSE, source
from nbgrader.preprocessors import OverwriteCells as StockOverwriteCells
from nbgrader.preprocessors import SaveAutoGrades as StockSaveAutoGrades
from notebook_harness import cell_by_grade_id
from traitlets.config import Config

from autograder import converter
from autograder.course import ASSIGNMENT
from autograder.preprocessors import OverwriteCells, SaveAutoGrades

EXTRA = "03_extra"


def _nbgrader(grade_id: str, **flags) -> dict:
    """A cell's nbgrader metadata (schema 3): every flag False unless given."""
    meta = {"grade": False, "locked": False, "solution": False, "task": False, **flags}
    return {"grade_id": grade_id, "schema_version": 3, **meta}


def _extra_notebook():
    """01_square with a task cell and a manually graded written answer (the fixture course
    has neither)."""
    nb = source()
    task = nbformat.v4.new_markdown_cell("Describe what `square` does to negative numbers.")
    task.metadata.nbgrader = _nbgrader("describe", locked=True, points=1, task=True)
    answer = nbformat.v4.new_markdown_cell("YOUR ANSWER HERE")
    answer.metadata.nbgrader = _nbgrader("explain", grade=True, points=2, solution=True)
    nb.cells += [task, answer]
    return nb


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    from autograder.plan import prepare_template

    src = tmp_path_factory.mktemp("src")
    shutil.copy2(FIXTURE_COURSE / "01_square.ipynb", src)
    nbformat.write(_extra_notebook(), src / f"{EXTRA}.ipynb")
    private = tmp_path_factory.mktemp("private")
    return prepare_template(None, src, private=private)[0], private


def _failed(nb, grade_id):
    cell_by_grade_id(nb, grade_id).outputs = [
        nbformat.v4.new_output("error", ename="AssertionError", evalue="wrong", traceback=[])
    ]
    return nb


def submissions(template):
    from autograder.course import Course

    released = nbformat.read(Course(template).release_dir / f"{EXTRA}.ipynb", as_version=4)
    answered = _extra_notebook()
    cell_by_grade_id(answered, "explain").source = "It makes them positive."
    edited = _failed(copy.deepcopy(answered), "test_double")
    cell_by_grade_id(edited, "setup").source += "\nx = 1"  # a locked cell edited: restored
    cell_by_grade_id(edited, "test_square").metadata.nbgrader["points"] = 20  # points changed
    cell_by_grade_id(edited, "seed").cell_type = "markdown"  # a locked code cell made markdown
    del (
        cell_by_grade_id(edited, "seed")["outputs"],
        cell_by_grade_id(edited, "seed")["execution_count"],
    )
    deleted = copy.deepcopy(answered)
    deleted.cells.remove(cell_by_grade_id(deleted, "test_double"))  # a test cell deleted: put back
    deleted.cells.remove(cell_by_grade_id(deleted, "describe"))  # the task cell deleted: put back
    unknown = copy.deepcopy(answered)  # its grade id removed, then SaveAutoGrades fails
    cell_by_grade_id(unknown, "double").metadata.nbgrader["grade_id"] = "not_in_the_gradebook"
    return {
        "as released": released,
        "answered": answered,
        "failing tests": _failed(_failed(copy.deepcopy(answered), "test_square"), "test_double"),
        "edited": edited,
        "cells deleted": deleted,
        "unknown cell": unknown,
    }


def _rows(db):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{db}") as gb:
        nb = gb.find_submission_notebook(EXTRA, ASSIGNMENT, converter.SUBMISSION)
        grades = {g.name: (g.auto_score, g.manual_score, g.needs_manual_grade) for g in nb.grades}
        comments = {c.name: c.auto_comment for c in nb.comments}
    return grades, comments


def _run(classes, nb, template, private):
    """``nb`` through ``classes`` in a fresh job gradebook: the notebook (or the error that
    stopped them), its rows, the warnings."""
    messages = []
    log = logging.getLogger(f"test_job_gradebook.{id(messages)}")
    log.propagate = False
    handler = logging.Handler()
    handler.emit = lambda record: messages.append(record.getMessage())
    log.addHandler(handler)
    db = converter.fresh_gradebook(template, private)
    resources = converter.resources_for(f"sqlite:///{db}", EXTRA, private)
    nb = copy.deepcopy(nb)
    try:
        for cls in classes:
            nb, resources = cls(config=Config(), log=log)(nb, resources)
    except Exception as exc:  # noqa: BLE001 - compared with nbgrader's
        nb = repr(exc)
    return nb, _rows(db), messages


def test_the_same_notebook_rows_and_warnings_as_nbgraders(template):
    template, private = template
    differs = set()
    for name, nb in submissions(template).items():
        ours = _run([OverwriteCells, SaveAutoGrades], nb, template, private)
        stock = _run([StockOverwriteCells, StockSaveAutoGrades], nb, template, private)
        assert ours[0] == stock[0], f"{name}: the notebook (or the error) differs"
        if not isinstance(stock[0], str):
            # (after an error nbgrader has committed the rows before it, ours none: the job
            # fails, its gradebook is not read; see autograder.results.failure)
            assert ours[1] == stock[1], f"{name}: the gradebook differs"
        assert ours[2] == stock[2], f"{name}: the warnings differ"
        differs.add(repr(stock[1]))
    # the cases are not all alike: scores, flags and comments differ between them
    assert len(differs) >= 4


def test_a_cell_not_in_the_gradebook_is_nbgraders_missing_entry(template):
    from nbgrader.api import MissingEntry

    from autograder.job_gradebook import JobGradebook

    template, private = template
    db = converter.fresh_gradebook(template, private)
    with JobGradebook(f"sqlite:///{db}") as gb:
        assert gb.find_grade("test_square", EXTRA, ASSIGNMENT, converter.SUBMISSION).max_score == 2
        assert gb.find_graded_cell("describe", EXTRA, ASSIGNMENT).max_score == 1  # a task cell
        gb.load(EXTRA, ASSIGNMENT, converter.SUBMISSION)  # what a worker does before its jobs
        assert gb.find_grade("explain", EXTRA, ASSIGNMENT, converter.SUBMISSION).max_score == 2
        with pytest.raises(MissingEntry):
            gb.find_grade("nothing", EXTRA, ASSIGNMENT, converter.SUBMISSION)
        with pytest.raises(MissingEntry):
            gb.find_source_cell("nothing", EXTRA, ASSIGNMENT)


def test_one_commit_commits_once_and_nothing_when_the_block_raises(template):
    from nbgrader.api import Gradebook

    from autograder.job_gradebook import JobGradebook

    template, private = template
    db = converter.fresh_gradebook(template, private)
    url = f"sqlite:///{db}"

    def score():
        with Gradebook(url) as gb:
            return gb.find_grade("test_square", EXTRA, ASSIGNMENT, converter.SUBMISSION).auto_score

    with JobGradebook(url) as gb:
        with pytest.raises(RuntimeError):
            with gb.one_commit():
                gb.find_grade("test_square", EXTRA, ASSIGNMENT, converter.SUBMISSION).auto_score = 1
                gb.db.commit()
                raise RuntimeError("a preprocessor failed")
    assert score() is None
    with JobGradebook(url) as gb, gb.one_commit():
        gb.find_grade("test_square", EXTRA, ASSIGNMENT, converter.SUBMISSION).auto_score = 2
        gb.db.commit()
    assert score() == 2
