"""Fixtures of the autograder's tests; the helpers they share are in grading_helpers.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from grading_helpers import FIXTURE_COURSE  # noqa: E402


@pytest.fixture(scope="session")
def released(tmp_path_factory):
    """The fixture course's student version (nbgrader generate_assignment)."""
    from autograder.course import Course

    course = Course.create(
        tmp_path_factory.mktemp("fixture-release"),
        ["01_square", "02_mean"],
        source_dir=FIXTURE_COURSE,
    )
    return course.generate_release()
