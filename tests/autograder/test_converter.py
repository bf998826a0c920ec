"""nbgrader's Autograde preprocessors run in memory by the course grader (autograder.converter):
every test's score equals stock ``nbgrader autograde``'s on the same submissions, and each job
starts from a gradebook of its own."""

from __future__ import annotations

import pytest
from grading_helpers import FIXTURE_COURSE, grade, honest_class, put, source, with_solution

from autograder import converter

RAISES = "def double(x):\n    raise NotImplementedError('not yet')\n"
HALF = "def square(x):\n    return x * x if x >= 0 else -x * x\n"


def submissions(root, released):
    """A class of honest submissions, none of which writes to stderr (stock nbgrader gives 0 to
    a test cell that does; the course grader does not: test_grading checks that difference)."""
    honest_class(root, released)  # alice full, bob 'double' wrong, carol nothing answered
    put(root, "carol", "02_mean", released / "02_mean.ipynb")
    put(root, "dave", "01_square", with_solution(source(), "double", RAISES))
    put(root, "erin", "01_square", with_solution(source(), "square", HALF))
    return ["alice", "bob", "carol", "dave", "erin"]


@pytest.mark.slow
def test_scores_equal_stock_nbgrader(tmp_path, released):
    from autograder.course import Course

    subs = tmp_path / "subs"
    students = submissions(subs, released)
    ours = grade(subs, tmp_path / "out", workers=1)

    stock = Course.create(tmp_path / "stock", ["01_square", "02_mean"], source_dir=FIXTURE_COURSE)
    stock.generate_release()
    theirs = {}
    for student in students:
        handed = {p.stem: p for p in (subs / student).glob("*.ipynb")}
        stock.submit(student, handed)
        for name, g in stock.autograde(student).items():
            if name in handed:
                theirs[(student, name)] = {k: list(v) for k, v in g.tests.items()}
    assert set(theirs) == set(ours)
    for key, res in ours.items():
        assert res.status == "graded", (key, res.detail)
        assert res.tests == theirs[key], key
    # and the class is not all one score: the comparison can tell a difference
    assert len({res.score for res in ours.values()}) >= 3


def test_each_job_gets_a_fresh_copy_of_the_worker_gradebook(tmp_path):
    from nbgrader.api import Gradebook

    from autograder.course import ASSIGNMENT, Course
    from autograder.plan import prepare_template

    template = prepare_template(None, FIXTURE_COURSE, private=tmp_path)[0]
    assert Course(template).release_dir.is_dir()
    first = converter.fresh_gradebook(template, tmp_path)
    with Gradebook(f"sqlite:///{first}") as gb:
        grade = gb.find_grade("test_square", "01_square", ASSIGNMENT, converter.SUBMISSION)
        grade.auto_score = 2.0
        gb.db.commit()
    second = converter.fresh_gradebook(template, tmp_path)
    assert second == first  # one path per worker: its engine is shared (see the module)
    with Gradebook(f"sqlite:///{second}") as gb:
        grade = gb.find_grade("test_square", "01_square", ASSIGNMENT, converter.SUBMISSION)
        assert grade.auto_score is None, "the last job's score is still in the gradebook"
    with Gradebook(f"sqlite:///{template / converter.JOB_GRADEBOOK}") as gb:
        # made with the template: the submission is there, the template's own gradebook unchanged
        assert [s.id for s in gb.students] == [converter.SUBMISSION]
    with Gradebook(f"sqlite:///{template / 'gradebook.db'}") as gb:
        assert gb.students == []


def test_an_invalid_notebook_after_a_pass_is_a_clear_error(tmp_path):
    import logging

    from traitlets.config import Config

    nb = source()
    nb.cells[0]["cell_type"] = "nonsense"  # what a broken preprocessor could leave
    c = Config()
    c.Autograde.sanitize_preprocessors = []
    c.Autograde.autograde_preprocessors = []
    with pytest.raises(ValueError, match="after nbgrader's sanitize pass"):
        converter.autograde(
            nb,
            config=c,
            log=logging.getLogger("test"),
            db_url="sqlite://",
            notebook="01_square",
            folder=tmp_path,
        )
