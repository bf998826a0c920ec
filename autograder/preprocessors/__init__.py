"""nbgrader preprocessors of the course autograder, one per file (as nbgrader's own).

- :class:`SandboxedExecute`   nbgrader's ``Execute`` with the kernel in the sandbox, a time limit
  for the whole notebook, an output limit, the static gate on the student's cells
  (:mod:`autograder.scan`), test verdicts from the messages the grader saw and the tamper
  guard's reports
- :class:`StderrToStdout`     text on stderr is not an error: it no longer zeroes a test cell
- :class:`ZeroTamperedTests`  a test cell after which the guard found rebound functions gets 0
- :class:`RedactHiddenTests`  feedback shows neither hidden test code nor its tracebacks, and
  says "hidden test failed" with the test's message
- :class:`RenderMath`         feedback math as MathML, readable offline
- :class:`CheckCellMetadata`  nbgrader's, with its JSON schema made into a validator once
- :class:`OverwriteCells`     nbgrader's, with the notebook's cells read from the gradebook at once
- :class:`SaveAutoGrades`     nbgrader's, with the notebook's grades read at once and written in
  one commit (both: :mod:`autograder.job_gradebook`)
"""

from .check_cell_metadata import CheckCellMetadata
from .overwrite_cells import OverwriteCells
from .redact_hidden_tests import RedactHiddenTests
from .render_math import RenderMath
from .sandboxed_execute import SandboxedExecute
from .save_auto_grades import SaveAutoGrades
from .stderr_to_stdout import StderrToStdout
from .zero_tampered_tests import ZeroTamperedTests


def configure_autograde(c, job, prep) -> None:
    """Autograde's preprocessors and their settings for one grading job (``c`` a traitlets
    ``Config``, ``job`` an :class:`autograder.plan.Job`, ``prep`` an
    :class:`autograder.job.Prepared`)."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (
        AssignLatePenalties,
        ClearOutput,
        DeduplicateIds,
        IgnorePattern,
        LimitOutput,
        OverwriteKernelspec,
    )

    from ..course import Course

    # nbgrader's lists (nbgrader/converters/autograde.py), with our execution and checks
    c.Autograde.sanitize_preprocessors = [
        ClearOutput,
        DeduplicateIds,
        OverwriteKernelspec,
        OverwriteCells,
        CheckCellMetadata,
    ]
    c.Autograde.autograde_preprocessors = [
        SandboxedExecute,
        StderrToStdout,
        ZeroTamperedTests,
        IgnorePattern,
        ClearMetadataPreprocessor,
        LimitOutput,
        SaveAutoGrades,
        AssignLatePenalties,
        CheckCellMetadata,
    ]
    c.SandboxedExecute.timeout = int(job.cell_timeout)
    c.SandboxedExecute.notebook_timeout = float(job.timeout)
    c.SandboxedExecute.output_limit = job.limits.output_bytes
    c.SandboxedExecute.report_path = str(prep.log_dir / "execution.json")
    c.SandboxedExecute.workdir = str(prep.work)
    c.SandboxedExecute.source_notebook = str(
        Course(prep.course).source_dir / f"{job.notebook}.ipynb"
    )


__all__ = [
    "configure_autograde",
    "CheckCellMetadata",
    "OverwriteCells",
    "RedactHiddenTests",
    "RenderMath",
    "SandboxedExecute",
    "SaveAutoGrades",
    "StderrToStdout",
    "ZeroTamperedTests",
]
