"""Grading course notebooks through stock nbgrader, for the test suite.

Conventions every course notebook follows (checked by tests/test_notebook_format.py):

- An exercise is an nbgrader solution cell whose ``grade_id`` is the exercise's name from
  ``course-spec.md`` (``two_layer_forward_backward``, ``Sigmoid``, ...).
- Its graded test cells have ``grade_id``s ``test_<exercise>`` or ``test_<exercise>_<what>``.
- ``tests/submissions/<notebook>/<kind>_<what>.py`` is a replacement for one solution cell,
  first line ``# exercise: <grade_id>``. ``kind`` is ``wrong`` (a classic mistake: some
  ``test_<exercise>*`` cell must lose points) or ``alt`` (correct, written differently: full marks).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

TESTS_DIR = Path(__file__).resolve().parent
SUBMISSIONS_DIR = TESTS_DIR / "submissions"
HEADER = re.compile(r"^#\s*exercise:\s*(\S+)\s*$")
BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def solution_cells(nb) -> dict[str, object]:
    """grade_id -> cell for every solution cell (the exercises)."""
    return {nbgrader_meta(c)["grade_id"]: c for c in nb.cells if nbgrader_meta(c).get("solution")}


def graded_cells(nb) -> dict[str, object]:
    """grade_id -> cell for every autograded test cell."""
    return {
        nbgrader_meta(c)["grade_id"]: c
        for c in nb.cells
        if nbgrader_meta(c).get("grade") and c.cell_type == "code"
    }


def exercise_tests(exercise: str, grade_ids) -> list[str]:
    """The test cell ids that belong to ``exercise`` by the naming convention."""
    return [g for g in grade_ids if g == f"test_{exercise}" or g.startswith(f"test_{exercise}_")]


@dataclass(frozen=True)
class Variant:
    notebook: str
    path: Path
    kind: str  # "wrong" or "alt"
    exercise: str
    source: str

    @property
    def id(self) -> str:
        return f"{self.notebook}/{self.path.stem}"


def load_variant(path: Path) -> Variant:
    text = path.read_text()
    first, _, rest = text.partition("\n")
    match = HEADER.match(first)
    if not match:
        raise ValueError(f"{path}: first line must be '# exercise: <grade_id>'")
    kind = path.stem.split("_", 1)[0]
    if kind not in ("wrong", "alt"):
        raise ValueError(f"{path}: name must start with 'wrong_' or 'alt_'")
    return Variant(path.parent.name, path, kind, match.group(1), rest)


def variants(notebook: str | None = None) -> list[Variant]:
    pattern = f"{notebook}/*.py" if notebook else "*/*.py"
    return [load_variant(p) for p in sorted(SUBMISSIONS_DIR.glob(pattern))]


def with_cells_replaced(nb, replacements: dict[str, str]):
    """A copy of ``nb`` whose solution cells ``grade_id -> source`` are replaced."""
    nb = copy.deepcopy(nb)
    cells = solution_cells(nb)
    for grade_id, source in replacements.items():
        if grade_id not in cells:
            raise KeyError(f"no solution cell with grade_id {grade_id!r}; have {sorted(cells)}")
        cells[grade_id].source = source
    return nb


def truncated_after(nb, exercise: str):
    """A copy of ``nb`` without the cells after the last test cell of ``exercise``.

    nbgrader runs cells top to bottom, so nothing after an exercise's last test cell can change
    that cell's score: a wrong answer's own tests grade the same on the shortened notebook, and
    the suite saves the later cells' run time (the cut cells are graded as missing, 0 points).
    """
    nb = copy.deepcopy(nb)
    ids = [nbgrader_meta(c).get("grade_id", "") for c in nb.cells]
    own = exercise_tests(exercise, ids)
    if not own:
        return nb
    last = max(i for i, g in enumerate(ids) if g in own)
    nb.cells = nb.cells[: last + 1]
    return nb


def read(path: Path):
    return nbformat.read(path, as_version=4)


def solution_lines(nb) -> list[str]:
    """Lines only the source has: non-trivial lines inside solution regions and hidden tests
    that appear nowhere else in the notebook (an idiom such as ``with torch.no_grad():`` that a
    demo also uses is not a leak)."""
    inside_lines: list[str] = []
    outside: set[str] = set()
    for cell in nb.cells:
        inside = False
        for line in cell.source.splitlines():
            s = line.strip()
            if s in (BEGIN_SOLUTION, BEGIN_HIDDEN):
                inside = True
                continue
            if s in (END_SOLUTION, END_HIDDEN):
                inside = False
                continue
            if not inside:
                outside.add(s)
            elif len(s) > 12 and not s.startswith("#"):
                inside_lines.append(s)
    return [s for s in inside_lines if s not in outside]
