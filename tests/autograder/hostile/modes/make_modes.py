"""Writes the submissions of ``test_isolation.py``, ``hostile/modes/<what_it_does>.ipynb``: the
fixture notebook ``fixtures/course/01_square.ipynb`` with its answers, plus what each attack adds.
Rerun after changing the fixture: ``.venv/bin/python tests/autograder/hostile/modes/make_modes.py``.

The symbolic-link attacks are not notebooks: the test makes the links itself.
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent.parent / "fixtures" / "course" / "01_square.ipynb"
DOUBLE = 'def double(x):\n    """Twice x."""\n    return 2 * x\n'
SQUARE = 'def square(x):\n    """Elementwise square of a tensor."""\n    return x * x\n'
#: the grade_id an added cell claims: 300,000 characters, quoted back in the record's detail
LONG_ID = "g" * 300_000

#: name -> {grade_id of a solution cell: its new source}
ANSWERS = {
    # without the sandbox and the fork server a kernel is a child of the pool's worker process
    "kills_its_worker": {
        "double": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n" + DOUBLE
    },
    # runs its cell until the grader is stopped (the run's --cell-timeout is long)
    "loops_forever": {"square": "while True:\n    pass\n" + SQUARE},
}


def answered(name: str) -> nbformat.NotebookNode:
    nb = nbformat.read(SOURCE, as_version=4)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in ANSWERS.get(name, {}):
            cell.source = ANSWERS[name][gid]
    return nb


def long_grade_id() -> nbformat.NotebookNode:
    nb = nbformat.read(SOURCE, as_version=4)
    extra = copy.deepcopy(nb.cells[-1])
    extra.metadata["nbgrader"]["grade_id"] = LONG_ID
    extra.id = "long-grade-id"
    extra.source = "pass"
    nb.cells.append(extra)
    return nb


def write_all() -> list[Path]:
    made = []
    for name in ANSWERS:
        nbformat.write(answered(name), HERE / f"{name}.ipynb")
        made.append(HERE / f"{name}.ipynb")
    nbformat.write(long_grade_id(), HERE / "long_grade_id.ipynb")
    made.append(HERE / "long_grade_id.ipynb")
    return made


if __name__ == "__main__":
    for path in write_all():
        print(path)
