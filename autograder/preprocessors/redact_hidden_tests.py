"""Feedback never shows hidden test code, and says which failure was a hidden test's.

nbgrader's ``ClearHiddenTests`` removes the hidden regions from a test cell's source; an
IPython traceback, though, quotes the failing line, which may be hidden. This preprocessor
replaces each error of a test cell by one line a student can act on:

- ``hidden test failed: AssertionError: <the assertion's message>`` when the line that raised
  lies in the cell's ``### BEGIN HIDDEN TESTS`` region (or, once ``ClearHiddenTests`` has run,
  is no longer in the visible source);
- ``test failed: <ename>: <evalue>`` for a visible check;
- ``<ename>: <evalue>`` when the traceback names no line of the cell (a cell the grader did not
  run, a tampering verdict).

An assertion without a message reads "(no message)". Put it before ``ClearHiddenTests`` in
``GenerateFeedback.preprocessors`` (as :func:`autograder.course.feedback_config` does) so the
hidden region is still there to compare with.
"""

from __future__ import annotations

import re

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

HIDDEN_FAILED = "hidden test failed: {error}"
VISIBLE_FAILED = "test failed: {error}"
NO_MESSAGE = "(no message)"

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# IPython 8+: "Cell In[12], line 34"; older: "<ipython-input-12-...> in <module>"; then the
# context lines, the failing one marked "---> 34 <code>".
_CELL_FRAME = re.compile(r"^(Cell In\s*\[|Input In\s*\[|<ipython-input-)")
_ARROW = re.compile(r"^-*>\s*(\d+)\s?(.*)$")


def failing_line(traceback: list[str]) -> tuple[int, str] | None:
    """(line number, text) of the cell's own frame in an IPython traceback, or None."""
    text = _ANSI.sub("", "\n".join(traceback))
    in_cell = False
    for line in text.splitlines():
        if _CELL_FRAME.match(line.strip()):
            in_cell = True
            continue
        if in_cell:
            m = _ARROW.match(line.strip())
            if m:
                return int(m.group(1)), m.group(2)
            if line.startswith("File ") or line.strip().startswith("File "):
                break  # the next frame started without an arrow in the cell's
    return None


def hidden_region(source: str, begin: str, end: str) -> tuple[int, int] | None:
    """First and last line numbers (1-based) of the hidden region of ``source``, or None."""
    first = last = None
    for number, line in enumerate(source.splitlines(), start=1):
        if begin in line and first is None:
            first = number
        elif end in line and first is not None:
            last = number
    if first is None:
        return None
    return first, last if last is not None else len(source.splitlines())


def is_hidden_failure(source: str, where: tuple[int, str], begin: str, end: str) -> bool:
    """Did the line ``where`` (number, text) of a test cell whose source is ``source`` belong
    to its hidden tests?"""
    number, text = where
    region = hidden_region(source, begin, end)
    if region is not None:  # before ClearHiddenTests: compare with the region
        return region[0] <= number <= region[1]
    lines = source.splitlines()  # after it: a hidden line is no longer where the traceback says
    return not (1 <= number <= len(lines) and lines[number - 1].strip() == text.strip())


class RedactHiddenTests(NbGraderPreprocessor):
    begin_test_delimeter = Unicode("BEGIN HIDDEN TESTS").tag(config=True)
    end_test_delimeter = Unicode("END HIDDEN TESTS").tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    out["traceback"] = [self.message(cell.source, out)]
        return cell, resources

    def message(self, source: str, error) -> str:
        """The one line that replaces ``error``'s traceback (see the module docstring)."""
        evalue = str(error.get("evalue", "")).strip()
        text = f"{error.get('ename', 'Error')}: {evalue or NO_MESSAGE}"
        where = failing_line(list(error.get("traceback", [])))
        if where is None:
            return text
        hidden = is_hidden_failure(
            source, where, self.begin_test_delimeter, self.end_test_delimeter
        )
        return (HIDDEN_FAILED if hidden else VISIBLE_FAILED).format(error=text)
