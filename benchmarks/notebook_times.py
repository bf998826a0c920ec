"""Seconds to execute each course notebook (reference solutions) and to autograde it with
stock nbgrader (generate_assignment once, then `autograde` of the source as a submission).

    .venv/bin/python benchmarks/notebook_times.py [--notebooks 01_tensors 03_custom_function]

Each notebook is executed in a fresh kernel with nbclient, then autograded in a course directory
of its own, one after the other (nothing else should run on the machine meanwhile).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autograder.course import NOTEBOOKS, SOURCE_NOTEBOOKS, Course, ensure_scripts_on_path  # noqa: E402


def execute_seconds(path: Path, workdir: Path) -> float:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}
    )
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def autograde_seconds(name: str, root: Path) -> tuple[float, float, float]:
    course = Course.create(root, [name])
    course.generate_release()
    course.submit("reference", {name: SOURCE_NOTEBOOKS / f"{name}.ipynb"})
    start = time.perf_counter()
    grade = course.autograde("reference")[name]
    return time.perf_counter() - start, grade.score, grade.max_score


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--notebooks", nargs="*", default=list(NOTEBOOKS), choices=NOTEBOOKS)
    args = parser.parse_args(argv)
    ensure_scripts_on_path()
    # nbgrader 0.9.6's gradebook trips SQLAlchemy's autoflush warning on every autograde.
    warnings.filterwarnings("ignore", module="nbgrader")
    os.environ.setdefault("CS231N_DEVICE", "cpu")
    os.environ.setdefault("MPLBACKEND", "Agg")
    print(f"{'notebook':<22}{'execute s':>10}{'autograde s':>13}{'score':>12}")
    total_exec = total_grade = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.notebooks:
            work = Path(tmp) / f"exec-{name}"
            work.mkdir()
            exec_s = execute_seconds(SOURCE_NOTEBOOKS / f"{name}.ipynb", work)
            grade_s, score, max_score = autograde_seconds(name, Path(tmp) / f"course-{name}")
            total_exec += exec_s
            total_grade += grade_s
            print(
                f"{name:<22}{exec_s:>10.1f}{grade_s:>13.1f}{score:>6g}/{max_score:<5g}", flush=True
            )
    print(f"{'total':<22}{total_exec:>10.1f}{total_grade:>13.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
