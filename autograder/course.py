"""The course as nbgrader sees it, and the plain-nbgrader operations on it.

Layout (a course directory, ``root``)::

    root/nbgrader_config.py          optional; the repository's own one calls apply_config()
    root/notebooks/NN_name.ipynb     source notebooks: the assignment is called "notebooks"
    root/release/notebooks/          student versions       (nbgrader generate_assignment)
    root/submitted/<student>/notebooks/NN_name.ipynb
    root/autograded/<student>/notebooks/ ...                 (nbgrader autograde)
    root/gradebook.db

The repository itself is such a course directory, so an instructor can run
``nbgrader generate_assignment notebooks`` and ``nbgrader autograde notebooks`` at its top.
Everything here drives nbgrader's own converters through :class:`nbgrader.apps.NbGraderAPI`;
nothing re-implements them.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = "notebooks"
SOURCE_NOTEBOOKS = REPO_ROOT / ASSIGNMENT
NOTEBOOKS = (
    "01_tensors",
    "02_autograd",
    "03_custom_function",
    "04_modules",
    "05_dataloader",
    "06_pretrained",
    "07_jit",
    "08_tf2_gradienttape",
)
COURSE_ID = "cs231n-dl-software"
CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
#: seconds one cell may run under nbgrader before it is interrupted
CELL_TIMEOUT = 120


def apply_config(c, root: Path | str) -> None:
    """Fill a traitlets ``Config`` (``c`` in ``nbgrader_config.py``) with the course's settings."""
    c.CourseDirectory.root = str(root)
    c.CourseDirectory.source_directory = "."  # the assignment folder is root/notebooks
    c.CourseDirectory.course_id = COURSE_ID
    c.ClearSolutions.code_stub = {"python": CODE_STUB}
    c.ClearSolutions.enforce_metadata = True
    c.Execute.timeout = CELL_TIMEOUT
    # A graceful kernel shutdown sometimes waits seconds for nothing.
    c.Execute.shutdown_kernel = "immediate"
    c.Exchange.assignment_dir = str(root)


def ensure_scripts_on_path() -> None:
    """Put this interpreter's script folder on PATH.

    nbgrader runs the ``alembic`` program when it creates a gradebook, and the kernel spec may
    name ``python``: both must come from this environment, also when it is not activated
    (``.venv/bin/python -m pytest``).
    """
    bindir = os.path.dirname(sys.executable)
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if bindir not in parts:
        os.environ["PATH"] = os.pathsep.join([bindir, *parts])


def config_for(root: Path | str):
    """A fresh ``traitlets.config.Config`` for the course directory ``root``."""
    from traitlets.config import Config

    c = Config()
    apply_config(c, Path(root))
    return c


@dataclass
class NotebookGrade:
    """Scores of one autograded notebook: the total and each graded test cell's."""

    notebook: str
    score: float
    max_score: float
    tests: dict[str, tuple[float, float]] = field(default_factory=dict)

    def lost(self, prefix: str = "") -> dict[str, tuple[float, float]]:
        """Test cells (whose grade_id starts with ``prefix``) that did not get full points."""
        return {k: v for k, v in self.tests.items() if k.startswith(prefix) and v[0] < v[1]}


class Course:
    """A course directory on disk; see the module docstring for its layout."""

    def __init__(self, root: Path | str):
        self.root = Path(root)

    # -- creation -------------------------------------------------------------------------
    @classmethod
    def create(cls, root: Path | str, notebooks=None, source_dir: Path = SOURCE_NOTEBOOKS) -> "Course":
        """Make a course directory at ``root`` holding copies of the source notebooks
        ``notebooks`` (names without ``.ipynb``; default: all of them)."""
        course = cls(root)
        dest = course.source_dir
        dest.mkdir(parents=True, exist_ok=True)
        for name in notebooks or NOTEBOOKS:
            shutil.copy2(Path(source_dir) / f"{name}.ipynb", dest / f"{name}.ipynb")
        return course

    @property
    def source_dir(self) -> Path:
        return self.root / ASSIGNMENT

    @property
    def release_dir(self) -> Path:
        return self.root / "release" / ASSIGNMENT

    def submitted_dir(self, student: str) -> Path:
        return self.root / "submitted" / student / ASSIGNMENT

    def autograded_dir(self, student: str) -> Path:
        return self.root / "autograded" / student / ASSIGNMENT

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.root / 'gradebook.db'}"

    def api(self, **overrides):
        """An :class:`nbgrader.apps.NbGraderAPI` on this course; ``overrides`` maps
        ``"Section.trait"`` to a value (e.g. ``{"Execute.timeout": 30}``)."""
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory

        ensure_scripts_on_path()

        config = config_for(self.root)
        for key, value in overrides.items():
            section, trait = key.split(".")
            setattr(config[section], trait, value)
        coursedir = CourseDirectory(config=config)
        return NbGraderAPI(coursedir=coursedir, config=config)

    # -- nbgrader steps ----------------------------------------------------------------------
    def generate_release(self, **overrides) -> Path:
        """``nbgrader generate_assignment notebooks``; returns the release folder."""
        result = self.api(**overrides).generate_assignment(ASSIGNMENT, force=True, create=True)
        if not result["success"]:
            raise RuntimeError(f"nbgrader generate_assignment failed:\n{result.get('error') or result.get('log')}")
        return self.release_dir

    def submit(self, student: str, notebooks: dict[str, object]) -> Path:
        """Place a submission: ``notebooks`` maps a notebook name to a path or a NotebookNode."""
        import nbformat

        dest = self.submitted_dir(student)
        dest.mkdir(parents=True, exist_ok=True)
        for name, nb in notebooks.items():
            target = dest / f"{name}.ipynb"
            if isinstance(nb, (str, Path)):
                shutil.copy2(nb, target)
            else:
                nbformat.write(nb, target)
        return dest

    def autograde(self, student: str, **overrides) -> dict[str, NotebookGrade]:
        """``nbgrader autograde notebooks --student <student>``; returns the grades it saved."""
        result = self.api(**overrides).autograde(ASSIGNMENT, student, force=True, create=True)
        if not result["success"]:
            raise RuntimeError(f"nbgrader autograde failed for {student}:\n{result.get('error') or result.get('log')}")
        return self.grades(student)

    def grades(self, student: str) -> dict[str, NotebookGrade]:
        """The gradebook's scores for ``student``, per notebook and per graded test cell."""
        from nbgrader.api import Gradebook

        out: dict[str, NotebookGrade] = {}
        with Gradebook(self.db_url) as gb:
            submission = gb.find_submission(ASSIGNMENT, student)
            for nb in submission.notebooks:
                tests = {
                    g.name: (float(g.score), float(g.max_score))
                    for g in nb.grades
                    if g.cell_type == "code" and g.max_score
                }
                out[nb.name] = NotebookGrade(nb.name, float(nb.score), float(nb.max_score), tests)
        return out
