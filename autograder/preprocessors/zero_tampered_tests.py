"""A test cell that carries a tamper report gets an error output, so nbgrader's
``determine_grade`` scores it 0. Runs after execution, before ``SaveAutoGrades``.

Reports (outputs with :data:`autograder.guard.TAMPER_MIME`, ``{"rebound": [what, ...]}``) come
from the tamper guard (:mod:`autograder.guard`: library or test functions rebound while the
test ran, which it may have passed against the fake) and from
:class:`~autograder.preprocessors.SandboxedExecute` (a test cell whose outputs were forged:
an error cleared after it was raised, a result displayed from inside the test). The static
gate's report sits on the student's cell where the run stopped; the tests after it were not
run and score 0 by their ``NotRun`` error."""

from nbformat.v4 import new_output
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

from ..guard import TAMPER_MIME

TAMPERED_ENAME = "TamperingDetected"
TAMPERED_EVALUE = "library or test functions were rebound while this test ran; 0 points"


def tamper_outputs(cell) -> list[list[str]]:
    """The names each guard report on ``cell`` says were rebound."""
    found = []
    for out in cell.get("outputs", []):
        data = (
            out.get("data", {})
            if out.get("output_type") in ("display_data", "execute_result")
            else {}
        )
        payload = data.get(TAMPER_MIME)
        if isinstance(payload, dict) and "nonce" not in payload:
            found.append(list(payload.get("rebound", [])))
    return found


class ZeroTamperedTests(NbGraderPreprocessor):
    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and utils.is_grade(cell) and tamper_outputs(cell):
            cell.outputs.append(
                new_output(
                    "error",
                    ename=TAMPERED_ENAME,
                    evalue=TAMPERED_EVALUE,
                    traceback=[f"{TAMPERED_ENAME}: {TAMPERED_EVALUE}"],
                )
            )
        return cell, resources
