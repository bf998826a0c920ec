"""Stock nbgrader scores a test cell 0 when it wrote anything to stderr (``utils.determine_grade``).

A library's deprecation warning or a UserWarning of the student's own is not a failed test, so
after execution this preprocessor relabels stderr stream outputs as stdout (the text is kept,
with a marker). Errors are ``error`` outputs, untouched: they still score 0.
"""

from nbgrader.preprocessors import NbGraderPreprocessor

STDERR_MARK = "[stderr] "


class StderrToStdout(NbGraderPreprocessor):
    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code":
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream" and out.get("name") == "stderr":
                    out["name"] = "stdout"
                    out["text"] = STDERR_MARK + out.get("text", "")
        return cell, resources
