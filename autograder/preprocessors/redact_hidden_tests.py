"""Feedback never shows hidden test code: nbgrader's ``ClearHiddenTests`` removes the hidden
regions from a test cell's source, and this preprocessor shortens each error of a test cell to
its one-line message, since an IPython traceback quotes the failing (hidden) line."""

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor


class RedactHiddenTests(NbGraderPreprocessor):
    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    out["traceback"] = [f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"]
        return cell, resources
