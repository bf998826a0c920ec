"""The feedback page a student gets back for one graded notebook."""

from __future__ import annotations

from pathlib import Path


def make_feedback(*, job, course_root: Path, config, log, graded, tests) -> bytes:
    """The feedback HTML of ``job`` (an :class:`autograder.plan.Job`), graded in the scratch
    course ``course_root`` with the traitlets ``config``; ``graded`` is the autograded notebook
    and ``tests`` the gradebook's ``{grade_id: [score, max_score]}``. Raises on failure (the
    grade stands without its page)."""
    from nbgrader.converters import GenerateFeedback
    from nbgrader.coursedir import CourseDirectory

    from .job import feedback_path

    GenerateFeedback(coursedir=CourseDirectory(config=config), config=config, log=log).start()
    return feedback_path(course_root, job.student, job.notebook).read_bytes()
