"""Helpers of the autograder's tests: a tiny nbgrader course (fixtures/course/), submissions
made from it, and grading a class quickly (small limits, short time-outs).

A module of its own, not ``conftest``: pytest imports every folder's ``conftest.py`` under that
one name, so ``from conftest import ...`` could find another folder's (tests/browser/)."""

from __future__ import annotations

import copy
import shutil
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

FIXTURE_COURSE = HERE / "fixtures" / "course"
HOSTILE = HERE / "hostile"
#: the fixture notebooks as they were when the test session started (before any grading)
FIXTURE_BYTES = {p.name: p.read_bytes() for p in sorted(FIXTURE_COURSE.glob("*.ipynb"))}

#: fast settings for grading the fixture notebooks
FAST = dict(timeout=60, cell_timeout=12, workers=2, progress=False)


def source(name: str = "01_square"):
    return nbformat.read(FIXTURE_COURSE / f"{name}.ipynb", as_version=4)


def with_solution(nb, grade_id: str, code: str):
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            cell.source = code
            return nb
    raise KeyError(grade_id)


def put(root: Path, student: str, name: str, nb_or_path) -> Path:
    dest = root / student / f"{name}.ipynb"
    dest.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(nb_or_path, (str, Path)):
        shutil.copy2(nb_or_path, dest)
    else:
        nbformat.write(nb_or_path, dest)
    return dest


def limits():
    from autograder.sandbox import GiB, Limits

    return Limits(memory_bytes=2 * GiB, cpu_seconds=120, processes=48)


def honest_class(root: Path, released_dir: Path) -> dict[tuple[str, str], float]:
    """alice: full answers; bob: 'double' wrong; carol: nothing answered. Returns expected scores."""
    put(root, "alice", "01_square", source())
    put(root, "alice", "02_mean", source("02_mean"))
    put(
        root,
        "bob",
        "01_square",
        with_solution(source(), "double", "def double(x):\n    return x + 1\n"),
    )
    put(root, "carol", "01_square", released_dir / "01_square.ipynb")
    return {
        ("alice", "01_square"): 3,
        ("alice", "02_mean"): 2,
        ("bob", "01_square"): 2,
        ("carol", "01_square"): 0,
    }


def grade(submissions: Path, out: Path, **kw):
    from autograder.grade import autograde

    args = {**FAST, "source_dir": FIXTURE_COURSE, "limits": limits(), **kw}
    return {(r.student, r.notebook): r for r in autograde(submissions, out, **args)}


def make_job(**fields):
    """An :class:`autograder.plan.Job` with small test defaults; ``fields`` override them."""
    from autograder.plan import Job

    args = dict(
        student="s",
        notebook="01_square",
        path="/nonexistent/01_square.ipynb",
        out="/o",
        template="",
        source_hash="",
        timeout=10,
        cell_timeout=5,
        device="cpu",
        limits=limits(),
        sandbox=False,
        threads=1,
    )
    return Job(**{**args, **fields})
