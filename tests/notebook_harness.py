"""Grading course notebooks through stock nbgrader, for the test suite.

Conventions every course notebook follows (checked by tests/test_notebook_format.py):

- An exercise is an nbgrader solution cell whose ``grade_id`` is the exercise's name from
  ``course-spec.md`` (``two_layer_forward_backward``, ``Sigmoid``, ...).
- Its graded test cells have ``grade_id``s ``test_<exercise>`` or ``test_<exercise>_<what>``.
- ``tests/submissions/<notebook>/<kind>_<what>.py`` is a replacement for one solution cell.
  ``kind`` is ``wrong`` (a classic mistake: some ``test_<exercise>*`` cell must lose points, for
  the right reason) or ``alt`` (correct, written differently: full marks). Its header, comment
  lines at the top of the file::

      # exercise: <grade_id>          line 1, every file
      # expect: <phrase>              line 2, every wrong_ file
      # error: <ExceptionName>        optional line 3 (default AssertionError)

  ``expect`` is a phrase (case-insensitive) that must appear in ``"<ename>: <evalue>"`` of the
  error output of the *first* test cell of the exercise (notebook order) that loses points, and
  ``ename`` must be the ``error`` line's exception. The rest of the file (after the header) is
  the whole new source of the solution cell.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

TESTS_DIR = Path(__file__).resolve().parent
SUBMISSIONS_DIR = TESTS_DIR / "submissions"
HEADER = re.compile(r"^#\s*(exercise|expect|error)\s*:\s*(.*?)\s*$")
DEFAULT_ERROR = "AssertionError"
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
    source: str  # the new solution cell: the file without its header lines
    expect: str | None = None  # wrong_ files: phrase the first failing test's message contains
    error: str = DEFAULT_ERROR  # wrong_ files: the exception that test cell must raise

    @property
    def id(self) -> str:
        return f"{self.notebook}/{self.path.stem}"


def _shown(path: Path) -> str:
    """``path`` as a message shows it: relative to the repository when inside it."""
    try:
        return str(Path(path).resolve().relative_to(TESTS_DIR.parent))
    except ValueError:
        return str(path)


def load_variant(path: Path) -> Variant:
    """Parse a submission file: its header (see the module docstring) and the new cell source.

    Raises ValueError for a file that breaks the convention in a way no test could grade (no
    ``# exercise:`` first line, a bad name, a repeated or empty header line, an ``expect`` or
    ``error`` line in an ``alt_`` file). A ``wrong_`` file *without* ``# expect:`` loads
    (``expect is None``); the tests report it.
    """
    where = _shown(path)
    lines = path.read_text().splitlines(keepends=True)
    kind = path.stem.split("_", 1)[0]
    if kind not in ("wrong", "alt"):
        raise ValueError(f"{where}: name must start with 'wrong_' or 'alt_'")
    header: dict[str, str] = {}
    for line in lines:
        match = HEADER.match(line)
        if not match:
            break
        key, value = match.groups()
        if key in header:
            raise ValueError(f"{where}: header line '# {key}:' given twice")
        if not value:
            raise ValueError(f"{where}: header line '# {key}:' is empty")
        if not header and key != "exercise":
            break
        header[key] = value
    if "exercise" not in header:
        raise ValueError(f"{where}: first line must be '# exercise: <grade_id>'")
    if kind == "alt" and len(header) > 1:
        raise ValueError(
            f"{where}: an alt_ file is a correct answer: no '# expect:' or '# error:' line"
        )
    error = header.get("error", DEFAULT_ERROR)
    if not error.isidentifier():
        raise ValueError(f"{where}: '# error: {error}' is not an exception class name")
    source = "".join(lines[len(header) :])
    return Variant(
        path.parent.name, path, kind, header["exercise"], source, header.get("expect"), error
    )


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


def cell_by_grade_id(nb, grade_id: str):
    for cell in nb.cells:
        if nbgrader_meta(cell).get("grade_id") == grade_id:
            return cell
    raise KeyError(f"no cell with grade_id {grade_id!r}")


def error_output(cell) -> dict | None:
    """The cell's error output (``ename``, ``evalue``), or None when it raised nothing."""
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return out
    return None


def error_text(out: dict) -> str:
    """``"<ename>: <evalue>"`` of an error output, as a student reads it."""
    return f"{out.get('ename')}: {out.get('evalue')}".strip()


def stderr_text(cell) -> str:
    return "".join(
        o.get("text", "")
        for o in cell.get("outputs", [])
        if o.get("output_type") == "stream" and o.get("name") == "stderr"
    )


def why_no_points(cell) -> str:
    """What an autograded test cell printed that cost it its points, in one line."""
    out = error_output(cell)
    if out is not None:
        return error_text(out)
    err = stderr_text(cell)
    if err:
        return f"no error, but it wrote to stderr (nbgrader scores that 0): {err.strip()[:300]!r}"
    return "no error output and nothing on stderr"


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
