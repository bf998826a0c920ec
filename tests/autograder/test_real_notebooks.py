"""One integration run on every real course notebook: the source gets full marks and
status 'graded', the student version 0, through the sandboxed autograder."""

from __future__ import annotations

import pytest

from autograder.course import NOTEBOOKS, SOURCE_NOTEBOOKS, Course
from autograder.grade import autograde

EXISTING = [n for n in NOTEBOOKS if (SOURCE_NOTEBOOKS / f"{n}.ipynb").exists()]


@pytest.mark.slow
@pytest.mark.notebook
@pytest.mark.skipif(not EXISTING, reason="no course notebook written yet")
def test_real_notebooks_full_marks_and_zero(tmp_path):
    course = Course.create(tmp_path / "course", EXISTING)
    release = course.generate_release()
    subs = tmp_path / "subs"
    for name in EXISTING:
        (subs / "teacher").mkdir(parents=True, exist_ok=True)
        (subs / "student").mkdir(parents=True, exist_ok=True)
        (subs / "teacher" / f"{name}.ipynb").write_bytes(
            (SOURCE_NOTEBOOKS / f"{name}.ipynb").read_bytes()
        )
        (subs / "student" / f"{name}.ipynb").write_bytes((release / f"{name}.ipynb").read_bytes())
    results = {
        (r.student, r.notebook): r
        for r in autograde(subs, tmp_path / "out", workers=2, progress=False)
    }
    for name in EXISTING:
        full, empty = results[("teacher", name)], results[("student", name)]
        assert (full.status, full.score) == ("graded", full.max_score), full.detail
        assert full.max_score > 0
        assert empty.score == 0 and empty.status == "graded", empty.detail
