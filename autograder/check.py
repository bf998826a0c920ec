"""``check NOTEBOOK``: a student's self-check with the visible tests only.

Runs the notebook as it is (in its own folder, with nbgrader's ``Execute`` and the course's
settings), then scores each test cell the way the grader does: an error is a fail, stderr is not.
It never needs the hidden tests, which are not in a student's notebook anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .course import CELL_TIMEOUT, kernel_encryption

CHECK_LINE = "{mark}  {score:>5g} / {points:<4g} {name}{why}"
CHECK_TOTAL = "total {score:g} / {points:g} points from the visible tests ({passed} of {count} test cells pass)"
CHECK_NOTE = (
    "Only the visible tests ran here; the grader also runs hidden ones, so a pass here is "
    "necessary, not sufficient."
)
NOT_A_NOTEBOOK = "cannot check {path}: {reason}"


@dataclass
class TestOutcome:
    name: str
    score: float
    points: float
    message: str = ""

    @property
    def passed(self) -> bool:
        return self.score >= self.points


def run_checks(
    notebook: Path | str, *, timeout: float = CELL_TIMEOUT, device: str | None = None
) -> list[TestOutcome]:
    """Execute ``notebook`` and return each graded test cell's outcome (in notebook order)."""
    import os

    from nbgrader import utils
    from nbgrader.preprocessors import Execute

    from .preprocessors import StderrToStdout
    from .restore import read_submission

    path = Path(notebook).resolve()
    try:
        nb = read_submission(path)
    except (ValueError, OSError) as exc:
        raise SystemExit(NOT_A_NOTEBOOK.format(path=path, reason=exc)) from None
    if device:
        os.environ["CS231N_DEVICE"] = device
    os.environ.setdefault("MPLBACKEND", "Agg")
    from traitlets.config import Config

    resources = {"metadata": {"path": str(path.parent)}}
    config = Config()
    kernel_encryption(config)  # no "running over TCP without encryption" before the report
    executor = Execute(config=config, timeout=int(timeout), shutdown_kernel="immediate")
    nb, resources = executor.preprocess(nb, resources)
    nb, resources = StderrToStdout().preprocess(nb, resources)
    outcomes = []
    for cell in nb.cells:
        if cell.cell_type != "code" or not utils.is_grade(cell):
            continue
        score, points = utils.determine_grade(cell)
        message = ""
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                message = f"{out.get('ename')}: {out.get('evalue')}".strip()
                break
        outcomes.append(
            TestOutcome(
                cell.metadata.nbgrader["grade_id"], float(score or 0), float(points), message
            )
        )
    return outcomes


def format_report(outcomes: list[TestOutcome]) -> str:
    lines = []
    for o in outcomes:
        why = f"  ({o.message[:200]})" if o.message and not o.passed else ""
        lines.append(
            CHECK_LINE.format(
                mark="PASS" if o.passed else "FAIL",
                score=o.score,
                points=o.points,
                name=o.name,
                why=why,
            )
        )
    lines.append(
        CHECK_TOTAL.format(
            score=sum(o.score for o in outcomes),
            points=sum(o.points for o in outcomes),
            passed=sum(o.passed for o in outcomes),
            count=len(outcomes),
        )
    )
    lines.append(CHECK_NOTE)
    return "\n".join(lines)


def check(notebook: Path | str, *, timeout: float = CELL_TIMEOUT, device: str | None = None) -> int:
    """Print the self-check of ``notebook``; 0 when every visible test passes, else 1."""
    outcomes = run_checks(notebook, timeout=timeout, device=device)
    print(format_report(outcomes))
    return 0 if all(o.passed for o in outcomes) else 1
