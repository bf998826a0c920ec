"""One home for grading results: the record of one job, its status, how it is saved, and what
a grading run leaves in its output folder.

- :class:`Result` the record of one (student, notebook); :class:`Status` its status;
  :func:`failure` the one way to build the zero-score record of a job that could not be graded;
  :func:`save` / :func:`load` one record as JSON; :func:`gradebook_scores` the one query of
  nbgrader's gradebook for a notebook's scores (a template's maxima, or one student's grades).
- ``out/results/<student>/<notebook>.json`` is written atomically the moment a job is graded,
  so an interrupted run keeps everything finished; :func:`merge` turns all of them into

  - ``grades.csv``  ``student,notebook,score,max_score,status,detail`` (one row per submission)
  - ``tests.csv``   ``student,notebook,test,score,max_score`` (one row per graded test cell)
  - ``gradebook.db`` nbgrader's gradebook (scores of every test cell, as ``nbgrader autograde``
    would have saved them), next to ``notebooks/`` (sources), ``submitted/``, ``autograded/`` and
    ``feedback/`` (HTML without hidden tests): the folder is an nbgrader course directory.
  - ``run.json`` how the run was protected (the report prints it); with a cluster, also per
    worker under ``"workers"``: ``{name: {"sandboxed": bool, "missing": [protection, ...]}}``.
"""

from __future__ import annotations

import csv
import enum
import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass, field, fields
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
JOB_ERROR = "grader error: {error}"
#: the most characters of a ``detail`` (and of any field of the CSV files) that are kept: a
#: submission's notes quote its own cell ids, which it can make as long as it likes
FIELD_CHARS = 2000
CUT = "... ({total} characters in all)"
#: csv's default 128 KiB per field is smaller than the rows older runs may have written
CSV_FIELD_LIMIT = 2**31 - 1


class GradingError(RuntimeError):
    """A problem with the grading run itself (not with one submission)."""


class Status(enum.StrEnum):
    """How a job ended (the ``status`` column of ``grades.csv``)."""

    GRADED = "graded"
    TIMEOUT = "timeout"
    KERNEL_DIED = "kernel_died"
    INVALID_NOTEBOOK = "invalid_notebook"
    TAMPERED = "tampered"
    ERROR = "error"


STATUSES = tuple(s.value for s in Status)


@dataclass
class Result:
    student: str
    notebook: str
    score: float
    max_score: float
    status: str
    detail: str
    tests: dict[str, list[float]] = field(default_factory=dict)
    source_hash: str = ""
    wall_s: float = 0.0
    kernel_start_s: float | None = None
    cells_s: float | None = None
    submitted_as: str = ""
    submission_hash: str = ""
    phases: dict[str, float] = field(default_factory=dict)  # seconds: prepare, autograde, feedback
    #: how its kernel was started: "spare" (by its worker while the last job ran, see
    #: autograder.spare) or "new" (for it, when it started), with ", started twice" when the
    #: first kernel died before answering; empty when no kernel ran
    kernel: str = ""
    #: on the first job of a local pool's worker: the seconds the worker took to start before
    #: it (its fork server and first kernel; autograder.pool), which are in no job's own time;
    #: None on every other job
    worker_start_s: float | None = None


def result_path(out: Path, student: str, notebook: str) -> Path:
    return Path(out) / "results" / student / f"{notebook}.json"


def file_hash(path: Path) -> str:
    try:
        return bytes_hash(Path(path).read_bytes())
    except OSError:
        return ""


def bytes_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def write_atomic(path: Path, text: str | bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    if isinstance(text, bytes):
        tmp.write_bytes(text)
    else:
        tmp.write_text(text)
    os.replace(tmp, path)


def gradebook_scores(
    db: Path | str, notebook: str, student: str | None = None
) -> tuple[float, float, dict[str, list[float]]]:
    """``(score, max_score, {test: [score, max_score]})`` of ``notebook`` in nbgrader's gradebook
    ``db`` (a path or an ``sqlite:///`` URL): one student's grades, or with ``student=None`` the
    notebook's maxima with every test at 0 (what a submission that could not be graded gets)."""
    from nbgrader.api import Gradebook

    url = str(db) if str(db).startswith("sqlite:") else f"sqlite:///{db}"
    with Gradebook(url) as gb:
        if student is None:
            nb = gb.find_notebook(notebook, ASSIGNMENT)
            tests = {
                c.name: [0.0, float(c.max_score)]
                for c in nb.grade_cells
                if c.cell_type == "code" and c.max_score
            }
            return 0.0, float(nb.max_score), tests
        nb = gb.find_submission_notebook(notebook, ASSIGNMENT, student)
        tests = {
            g.name: [float(g.score), float(g.max_score)]
            for g in nb.grades
            if g.cell_type == "code" and g.max_score
        }
        return float(nb.score), float(nb.max_score), tests


def capped(text: str, limit: int = FIELD_CHARS) -> str:
    """``text`` cut to ``limit`` characters, saying how long it was: a record, a CSV row and a
    report page stay small whatever a submission puts into what they quote."""
    text = str(text)
    if len(text) <= limit:
        return text
    tail = CUT.format(total=len(text))
    return text[: max(0, limit - len(tail))] + tail


def record(job, *, status: Status | str, detail: str, **values) -> Result:
    """The record of ``job`` (a :class:`autograder.plan.Job`) with who, what and which file
    filled in from the job; ``values`` are the other fields (score, tests, timings, ...)."""
    values.setdefault("submission_hash", file_hash(Path(job.path)))
    return Result(
        student=job.student,
        notebook=job.notebook,
        score=values.pop("score", 0.0),
        max_score=values.pop("max_score", 0.0),
        status=Status(status),
        detail=capped(detail),
        source_hash=job.source_hash,
        submitted_as=Path(job.path).name,
        **values,
    )


def failure(job, status: Status | str, detail: str) -> Result:
    """The zero-score record of a job that could not be graded: every test of its notebook
    at 0 of its points (none when it is not a course notebook)."""
    try:
        _, max_score, tests = gradebook_scores(Path(job.template) / "gradebook.db", job.notebook)
    except Exception:  # noqa: BLE001 - not a course notebook, or no template here
        max_score, tests = 0.0, {}
    return record(job, status=status, detail=detail, max_score=max_score, tests=tests)


def to_json(res: Result) -> str:
    return json.dumps(asdict(res), indent=1)


def from_json(text: str) -> Result:
    data = json.loads(text)
    known = {f.name for f in fields(Result)}
    res = Result(**{k: v for k, v in data.items() if k in known})
    res.status = Status(res.status)
    return res


def save(res: Result, out: Path) -> Path:
    """Write ``res`` atomically to its place under ``out``; returns the path."""
    path = result_path(out, res.student, res.notebook)
    write_atomic(path, to_json(res))
    return path


def load(path: Path) -> Result:
    return from_json(Path(path).read_text())


def is_done(job) -> bool:
    """Graded before, against the same sources and the same submitted file, with an outcome
    that grading again would give again. An ``error`` row is the grader's own failure (a
    crashed worker, a lost machine), not the submission's verdict: it is graded again."""
    path = job.result_path
    if not path.exists():
        return False
    try:
        res = load(path)
    except (ValueError, TypeError, OSError):
        return False
    if res.status == Status.ERROR:
        return False
    return res.source_hash == job.source_hash and res.submission_hash == file_hash(Path(job.path))


def write_run_info(
    out: Path, *, sandboxed: bool, reason: str, limits, workers=None, same_user: bool = False
) -> None:
    """``run.json``; ``workers`` (a cluster run): name -> {"sandboxed": bool, "missing": [...]}.
    ``same_user``: kernels ran with the grader's own user id and no sandbox
    (``--unsafe-same-user``): nothing kept a submission from the grader's files or other
    submissions' results, and the report says so first."""
    from .sandbox import protections

    info = {
        "same_user": same_user,
        "sandboxed": sandboxed,
        "sandbox_reason": reason,
        "protections": protections(sandboxed=sandboxed),
        "limits": asdict(limits),
    }
    if workers is not None:
        info["workers"] = workers
    write_atomic(out / "run.json", json.dumps(info, indent=1))
    config = out / "nbgrader_config.py"
    if not config.exists():
        config.write_text(CONFIG_TEXT)


def copy_submissions(out: Path, jobs) -> None:
    """The submitted files under ``out/submitted/<student>/notebooks/`` (nbgrader's layout)."""
    for job in jobs:
        if Path(job.path).resolve() != Path(job.path):  # a link: refused, and never copied
            continue
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
        w.writerows([capped(v) for v in row] for row in rows)
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
    csv.field_size_limit(CSV_FIELD_LIMIT)
    with (Path(out) / "grades.csv").open() as fh:
        return list(csv.DictReader(fh))


def read_tests(out: Path) -> list[dict]:
    csv.field_size_limit(CSV_FIELD_LIMIT)
    with (Path(out) / "tests.csv").open() as fh:
        return list(csv.DictReader(fh))
