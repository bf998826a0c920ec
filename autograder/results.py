"""What a grading run leaves in its output folder, and merging the per-job results.

``out/results/<student>/<notebook>.json`` is written atomically by each job the moment it is
graded, so an interrupted run keeps everything finished; :func:`merge` turns all of them into

- ``grades.csv``  ``student,notebook,score,max_score,status,detail`` (one row per submission)
- ``tests.csv``   ``student,notebook,test,score,max_score`` (one row per graded test cell)
- ``gradebook.db`` nbgrader's gradebook (scores of every test cell, as ``nbgrader autograde``
  would have saved them), next to ``notebooks/`` (sources), ``submitted/``, ``autograded/`` and
  ``feedback/`` (HTML without hidden tests): the folder is an nbgrader course directory.
- ``run.json`` how the run was protected (the report prints it).
"""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import asdict, fields
from pathlib import Path

from .course import ASSIGNMENT

GRADES_HEADER = ("student", "notebook", "score", "max_score", "status", "detail")
TESTS_HEADER = ("student", "notebook", "test", "score", "max_score")
CONFIG_TEXT = '''"""nbgrader configuration of this grading output: an nbgrader course directory."""
import os

from autograder.course import apply_config

c = get_config()  # noqa: F821
apply_config(c, os.path.dirname(os.path.abspath(__file__)))
'''


def load(path: Path):
    from .plan import Result

    data = json.loads(path.read_text())
    known = {f.name for f in fields(Result)}
    return Result(**{k: v for k, v in data.items() if k in known})


def is_done(job) -> bool:
    """Graded before, against the same sources and the same submitted file."""
    from .plan import file_hash

    path = job.result_path
    if not path.exists():
        return False
    try:
        res = load(path)
    except (ValueError, TypeError, OSError):
        return False
    return res.source_hash == job.source_hash and res.submission_hash == file_hash(Path(job.path))


def write_run_info(out: Path, *, sandboxed: bool, reason: str, limits) -> None:
    from .plan import write_atomic
    from .sandbox import protections

    info = {
        "sandboxed": sandboxed,
        "sandbox_reason": reason,
        "protections": protections(sandboxed=sandboxed),
        "limits": asdict(limits),
    }
    write_atomic(out / "run.json", json.dumps(info, indent=1))
    config = out / "nbgrader_config.py"
    if not config.exists():
        config.write_text(CONFIG_TEXT)


def copy_submissions(out: Path, jobs) -> None:
    """The submitted files under ``out/submitted/<student>/notebooks/`` (nbgrader's layout)."""
    for job in jobs:
        dest = out / "submitted" / job.student / ASSIGNMENT / f"{job.notebook}.ipynb"
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(job.path, dest)
    src = Path(jobs[0].template) / ASSIGNMENT if jobs else None
    if src is not None:
        dest = out / ASSIGNMENT
        dest.mkdir(exist_ok=True)
        for nb in src.glob("*.ipynb"):
            shutil.copy2(nb, dest / nb.name)


def merge(out: Path, template: Path, jobs) -> list:
    """Write grades.csv, tests.csv and the gradebook from the results of ``jobs``."""
    results = []
    for job in jobs:
        if job.result_path.exists():
            try:
                results.append(load(job.result_path))
            except (ValueError, TypeError, OSError):
                continue
    results.sort(key=lambda r: (r.student, r.notebook))
    _write_csv(
        out / "grades.csv",
        GRADES_HEADER,
        [
            (r.student, r.notebook, _num(r.score), _num(r.max_score), r.status, r.detail)
            for r in results
        ],
    )
    _write_csv(
        out / "tests.csv",
        TESTS_HEADER,
        [
            (r.student, r.notebook, t, _num(s), _num(m))
            for r in results
            for t, (s, m) in sorted(r.tests.items())
        ],
    )
    _write_gradebook(out, template, results)
    return results


def _num(x: float) -> str:
    return f"{float(x):g}"


def _write_csv(path: Path, header, rows) -> None:
    tmp = path.with_suffix(".csv.tmp")
    with tmp.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    tmp.replace(path)


def _write_gradebook(out: Path, template: Path, results) -> None:
    from nbgrader.api import Gradebook, MissingEntry

    db = out / "gradebook.db"
    stamp = out / ".grading" / "GRADEBOOK_SOURCE_HASH"
    digest = (template / "SOURCE_HASH").read_text()
    stamp.parent.mkdir(parents=True, exist_ok=True)
    if not db.exists() or not stamp.exists() or stamp.read_text() != digest:
        shutil.copy2(template / "gradebook.db", db)
        stamp.write_text(digest)
    with Gradebook(f"sqlite:///{db}") as gb:
        names = {nb.name for nb in gb.find_assignment(ASSIGNMENT).notebooks}
        for r in results:
            if r.notebook not in names:
                continue
            gb.update_or_create_student(r.student)
            gb.update_or_create_submission(ASSIGNMENT, r.student)
            for test, (score, _max) in r.tests.items():
                try:
                    grade = gb.find_grade(test, r.notebook, ASSIGNMENT, r.student)
                except MissingEntry:
                    continue
                grade.auto_score = score
                grade.needs_manual_grade = r.status != "graded"
        gb.db.commit()


def read_grades(out: Path) -> list[dict]:
    with (Path(out) / "grades.csv").open() as fh:
        return list(csv.DictReader(fh))


def read_tests(out: Path) -> list[dict]:
    with (Path(out) / "tests.csv").open() as fh:
        return list(csv.DictReader(fh))
