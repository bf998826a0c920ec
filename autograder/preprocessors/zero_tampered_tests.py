"""A test cell that carries a tamper report gets an error output, so nbgrader's
``determine_grade`` scores it 0. Runs after execution, before ``SaveAutoGrades``.

Reports are outputs with :data:`autograder.guard.TAMPER_MIME`: ``{"rebound": [name, ...]}``
from the tamper guard (:mod:`autograder.guard`: library or test functions rebound while the
test ran, which it may have passed against the fake), ``{"found": [sentence, ...]}`` from the
grader's own :class:`~autograder.preprocessors.SandboxedExecute` (the static gate's findings; a
test cell whose outputs were forged: an error cleared after it was raised, a result displayed
from inside the test). The static
gate's report sits on the student's cell where the run stopped; the tests after it were not
run and score 0 by their ``NotRun`` error."""

from nbformat.v4 import new_output
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

from ..guard import TAMPER_MIME

TAMPERED_ENAME = "TamperingDetected"
TAMPERED_EVALUE = "library or test functions were rebound while this test ran; 0 points"


def _reports(cell):
    """The tamper reports on ``cell`` (the guard's final report, with its nonce, excluded)."""
    for out in cell.get("outputs", []):
        if out.get("output_type") in ("display_data", "execute_result"):
            payload = out.get("data", {}).get(TAMPER_MIME)
            if isinstance(payload, dict) and "nonce" not in payload:
                yield payload


def tamper_outputs(cell, key: str = "rebound") -> list[list[str]]:
    """What each report on ``cell`` lists under ``key``: ``"rebound"`` (names) or ``"found"``
    (the grader's findings, sentences)."""
    return [list(p[key]) for p in _reports(cell) if isinstance(p.get(key), list)]


def has_tamper_report(cell) -> bool:
    return any(True for _ in _reports(cell))


class ZeroTamperedTests(NbGraderPreprocessor):
    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and utils.is_grade(cell) and has_tamper_report(cell):
            cell.outputs.append(
                new_output(
                    "error",
                    ename=TAMPERED_ENAME,
                    evalue=TAMPERED_EVALUE,
                    traceback=[f"{TAMPERED_ENAME}: {TAMPERED_EVALUE}"],
                )
            )
        return cell, resources
