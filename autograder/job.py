"""One job: grade one (student, notebook) in a worker process; never raises.

:func:`grade_job` builds a private scratch course (the source notebook and a copy of the
gradebook template), rebuilds the submission on the source's skeleton (:mod:`autograder.restore`),
runs nbgrader's own ``Autograde`` converter on it with our preprocessors in its pipeline (the
kernel in the sandbox, forked from the worker's fork server; stderr is not an error; tampering
costs the affected tests), renders the feedback with nbgrader's ``GenerateFeedback`` minus the
hidden tests, and writes one JSON result atomically. Problems become a status and a ``detail``.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from .course import ASSIGNMENT, config_for, ensure_scripts_on_path
from .plan import Job, Result, file_hash, read_source, template_scores, write_atomic

KERNEL_USER = "student"
TIMEOUT_NOTEBOOK = "the notebook ran past its time limit of {seconds:g} s; later cells were not run"
TIMEOUT_CELL = "cell {cells} ran past the per-cell limit of {seconds:g} s"
KERNEL_DIED = "the kernel died in cell {cell} ({reason})"
KERNEL_DIED_START = "the kernel died before running any cell ({reason})"
TAMPERED = "rebound {names}"
GUARD_SILENT = (
    "the grader's tamper check did not report at the end: its hooks were removed or replaced"
)
MEMORY = "memory limit reached in cell {cells}"
PROCESSES = "process limit reached in cell {cells}"
OUTPUT_CUT = "output beyond {limit} bytes was dropped"
JOB_ERROR = "grader error: {error}"


def _kernel_env(job: Job, home: Path, gpu: bool) -> dict[str, str]:
    import sys

    from .course import REPO_ROOT

    data = REPO_ROOT / "data"
    env = {
        "PATH": os.pathsep.join(
            [os.path.dirname(sys.executable), "/usr/local/bin", "/usr/bin", "/bin"]
        ),
        "HOME": str(home),
        # the kernel's user id has no passwd entry: getpass.getuser() (torch's caches) reads these
        "USER": KERNEL_USER,
        "LOGNAME": KERNEL_USER,
        "TMPDIR": "/tmp" if job.sandbox else str(home / "tmp"),
        "LANG": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(home / ".matplotlib"),
        "IPYTHONDIR": str(home / ".ipython"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "CS231N_DEVICE": job.device,
        "CS231N_RUNS_DIR": str(home / "runs"),
        "CS231N_DATA_DIR": str(data if data.is_dir() else home / "data"),
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "TF_ENABLE_ONEDNN_OPTS": "0",
        "NBGRADER_EXECUTION": "autograde",
        "OMP_NUM_THREADS": str(job.threads),
        "MKL_NUM_THREADS": str(job.threads),
    }
    if gpu:  # which GPUs, and where the driver's libraries are when ld.so.conf does not say
        for name in ("CUDA_VISIBLE_DEVICES", "LD_LIBRARY_PATH"):
            if os.environ.get(name):
                env[name] = os.environ[name]
    return env


def _grades_of(
    db_url: str, student: str, notebook: str
) -> tuple[float, float, dict[str, list[float]]]:
    from nbgrader.api import Gradebook

    with Gradebook(db_url) as gb:
        nb = gb.find_submission_notebook(notebook, ASSIGNMENT, student)
        tests = {
            g.name: [float(g.score), float(g.max_score)]
            for g in nb.grades
            if g.cell_type == "code" and g.max_score
        }
        return float(nb.score), float(nb.max_score), tests


def _errors(nb, names: tuple[str, ...] = (), text: tuple[str, ...] = ()) -> list[int]:
    hits = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error" and (
                out.get("ename") in names or any(t in str(out.get("evalue", "")) for t in text)
            ):
                hits.append(i)
                break
    return hits


def _label(nb, index: int | None) -> str:
    if index is None or index >= len(nb.cells):
        return "?"
    gid = nb.cells[index].get("metadata", {}).get("nbgrader", {}).get("grade_id")
    return f"'{gid}'" if gid else f"#{index + 1}"


def _quiet_logger(path: Path) -> logging.Logger:
    log = logging.getLogger(f"autograder.job.{path.parent.name}")
    log.handlers[:] = [logging.FileHandler(path)]
    log.setLevel(logging.WARNING)
    log.propagate = False
    return log


def grade_job(job: Job) -> Result:
    """Grade one (student, notebook); never raises: problems become a status."""
    t0 = time.monotonic()
    template = Path(job.template)
    try:
        max_score, zero_tests = template_scores(template, job.notebook)
    except Exception:  # noqa: BLE001 - not a course notebook
        max_score, zero_tests = 0.0, {}
    base = dict(
        student=job.student,
        notebook=job.notebook,
        max_score=max_score,
        source_hash=job.source_hash,
        submitted_as=Path(job.path).name,
        submission_hash=file_hash(Path(job.path)),
    )
    if job.invalid:
        res = Result(
            score=0.0,
            status="invalid_notebook",
            detail="; ".join([job.invalid, *job.notes]),
            tests=zero_tests,
            **base,
        )
    else:
        scratch = Path(tempfile.mkdtemp(prefix="cs231n-grade-"))
        try:
            res = _grade_in(scratch, job, base, zero_tests)
        except Exception as exc:  # noqa: BLE001 - one bad submission never stops a batch
            res = Result(
                score=0.0,
                status="error",
                detail=JOB_ERROR.format(error=_explain(exc, scratch)),
                tests=zero_tests,
                **base,
            )
        finally:
            for handler in logging.getLogger(f"autograder.job.{scratch.name}").handlers[:]:
                handler.close()
            logging.Logger.manager.loggerDict.pop(f"autograder.job.{scratch.name}", None)
            if os.environ.get("CS231N_KEEP_SCRATCH"):
                print(f"kept scratch folder {scratch}")
            else:
                shutil.rmtree(scratch, ignore_errors=True)
                shutil.rmtree(_KERNEL_DIRS.pop(scratch, scratch), ignore_errors=True)
    res.wall_s = time.monotonic() - t0
    write_atomic(job.result_path, json.dumps(asdict(res), indent=1))
    return res


_FORKSERVER_ROOT: Path | None = None
_KERNEL_DIRS: dict[Path, Path] = {}


def forkserver_root() -> Path:
    """This worker's folder for its kernels' files, the only one its fork server can write."""
    global _FORKSERVER_ROOT
    if _FORKSERVER_ROOT is None or not _FORKSERVER_ROOT.is_dir():
        from multiprocessing.util import Finalize

        from .forkserver import close_all

        _FORKSERVER_ROOT = Path(tempfile.mkdtemp(prefix="cs231n-kernels-"))
        os.chmod(_FORKSERVER_ROOT, 0o711)
        # run at the exit of this process, a pool worker too (where atexit does not run)
        Finalize(None, close_all, exitpriority=20)
        Finalize(None, shutil.rmtree, (_FORKSERVER_ROOT,), {"ignore_errors": True}, exitpriority=10)
    return _FORKSERVER_ROOT


def kernel_dir(scratch: Path, job: Job) -> Path:
    """The folder that holds a job's kernel-visible folders (work, home, kernel)."""
    if not job.forkserver:
        return scratch
    kdir = Path(tempfile.mkdtemp(prefix="job-", dir=forkserver_root()))
    _KERNEL_DIRS[scratch] = kdir
    return kdir


def _explain(exc: Exception, scratch: Path) -> str:
    """One line: the exception, or for nbgrader's summary exception the error it logged."""
    text = f"{type(exc).__name__}: {exc}"
    log = scratch / "nbgrader.log"
    if log.exists():
        lines = [ln for ln in log.read_text(errors="replace").splitlines() if ln.strip()]
        errs = [ln for ln in lines if "Error" in ln or "error" in ln]
        if errs:
            text = errs[-1]
    return text.strip()[:300]


def _grade_in(scratch: Path, job: Job, base: dict, zero_tests: dict) -> Result:
    import nbformat
    from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
    from nbgrader.converters import Autograde, GenerateFeedback
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.preprocessors import (
        AssignLatePenalties,
        CheckCellMetadata,
        ClearHiddenTests,
        GetGrades,
        IgnorePattern,
        LimitOutput,
        SaveAutoGrades,
    )

    from .preprocessors import (
        RedactHiddenTests,
        SandboxedExecute,
        StderrToStdout,
        ZeroTamperedTests,
    )
    from .preprocessors.zero_tampered_tests import tamper_outputs
    from .restore import read_submission, rebuild
    from .sandbox import kernel_user_id, sandbox_uid

    t_start = time.monotonic()
    phases: dict[str, float] = {}
    template = Path(job.template)
    notes = list(job.notes)
    try:
        submitted = read_submission(Path(job.path))
    except ValueError as exc:
        return Result(
            score=0.0,
            status="invalid_notebook",
            detail="; ".join([str(exc), *notes]),
            tests=zero_tests,
            **base,
        )

    source = read_source(template, job.notebook)
    release = nbformat.read(
        template / "release" / ASSIGNMENT / f"{job.notebook}.ipynb", as_version=4
    )
    nb, problems = rebuild(submitted, source, release)
    notes += problems

    course = scratch / "course"
    (course / ASSIGNMENT).mkdir(parents=True)
    shutil.copy2(template / ASSIGNMENT / f"{job.notebook}.ipynb", course / ASSIGNMENT)
    shutil.copy2(template / "gradebook.db", course / "gradebook.db")
    sub_dir = course / "submitted" / job.student / ASSIGNMENT
    sub_dir.mkdir(parents=True)
    nbformat.write(nb, sub_dir / f"{job.notebook}.ipynb")

    kdir = kernel_dir(
        scratch, job
    )  # what the kernel sees: scratch itself, or in the fork server's root
    work, home, runtime = kdir / "work", kdir / "home", kdir / "kernel"
    for d in (work, home, runtime, home / "tmp"):
        d.mkdir(parents=True)
    shutil.copy2(job.path, work / f"{job.notebook}.ipynb")  # the student's own working copy
    uid = None
    if kernel_user_id(sandboxed=job.sandbox):
        uid = sandbox_uid()
        os.chmod(scratch, 0o711)
        os.chmod(kdir, 0o711)
        for d in (work, home, runtime, home / "tmp"):
            for p in [d, *d.rglob("*")]:
                os.chown(p, uid, uid)
    report_path = scratch / "execution.json"
    gpu = job.device in ("cuda", "auto") and cuda_available()

    c = config_for(course)
    c.CourseDirectory.student_id = job.student
    c.CourseDirectory.assignment_id = ASSIGNMENT
    c.CourseDirectory.notebook_id = job.notebook
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
    c.SandboxedExecute.report_path = str(report_path)
    c.SandboxedExecute.workdir = str(work)
    c.SandboxKernelManager.runtime_dir = str(runtime)
    c.SandboxKernelManager.workdir = str(work)
    c.SandboxKernelManager.writable = [str(work), str(home)]
    c.SandboxKernelManager.sandbox = job.sandbox
    c.SandboxKernelManager.gpu = gpu
    c.SandboxKernelManager.limit_args = job.limits.kernel_args()
    c.SandboxKernelManager.uid = uid
    c.SandboxKernelManager.kernel_env = _kernel_env(job, home, gpu)
    c.SandboxKernelManager.forkserver = job.forkserver
    c.SandboxKernelManager.forkserver_root = str(forkserver_root()) if job.forkserver else ""
    c.GenerateFeedback.preprocessors = [
        GetGrades,
        ClearHiddenTests,
        RedactHiddenTests,
        CSSHTMLHeaderPreprocessor,
    ]
    c.ClearHiddenTests.enforce_metadata = False

    ensure_scripts_on_path()
    log = _quiet_logger(scratch / "nbgrader.log")
    t1 = time.monotonic()
    phases["prepare"] = t1 - t_start
    Autograde(coursedir=CourseDirectory(config=c), config=c, log=log).start()

    phases["autograde"] = time.monotonic() - t1
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    graded_path = course / "autograded" / job.student / ASSIGNMENT / f"{job.notebook}.ipynb"
    graded = nbformat.read(graded_path, as_version=4)
    score, max_score, tests = _grades_of(
        f"sqlite:///{course / 'gradebook.db'}", job.student, job.notebook
    )

    status, details = "graded", []
    if report.get("cell_timeouts"):
        status = "timeout"
        cells = ", ".join(_label(graded, i) for i in report["cell_timeouts"])
        details.append(TIMEOUT_CELL.format(cells=cells, seconds=job.cell_timeout))
    if report.get("timed_out"):
        status = "timeout"
        details.append(TIMEOUT_NOTEBOOK.format(seconds=job.timeout))
    died = report.get("kernel_died")
    if died:
        status = "kernel_died"
        if died.get("cell") is None:
            details.append(KERNEL_DIED_START.format(reason=died.get("reason")))
        else:
            details.append(
                KERNEL_DIED.format(cell=_label(graded, died["cell"]), reason=died.get("reason"))
            )
    rebound = [n for cell in graded.cells for hit in tamper_outputs(cell) for n in hit]
    final = report.get("final_report")
    if final:
        rebound += final.get("rebound", [])
    if rebound:
        status = "tampered"
        details.insert(0, TAMPERED.format(names=", ".join(dict.fromkeys(rebound))))
    elif final is None and not died and not report.get("timed_out"):
        status = "tampered"
        details.insert(0, GUARD_SILENT)
    mem = _errors(
        graded, ("MemoryError",), ("can't allocate memory", "bad_alloc", "DefaultCPUAllocator")
    )
    if mem:
        details.append(MEMORY.format(cells=", ".join(_label(graded, i) for i in mem)))
    procs = _errors(graded, ("BlockingIOError",), ("Resource temporarily unavailable",))
    if procs:
        details.append(PROCESSES.format(cells=", ".join(_label(graded, i) for i in procs)))
    if report.get("output_truncated"):
        details.append(OUTPUT_CUT.format(limit=job.limits.output_bytes))

    out = Path(job.out)
    dest = out / "autograded" / job.student / ASSIGNMENT
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(graded_path, dest / graded_path.name)
    t2 = time.monotonic()
    try:
        GenerateFeedback(coursedir=CourseDirectory(config=c), config=c, log=log).start()
        html = course / "feedback" / job.student / ASSIGNMENT / f"{job.notebook}.html"
        fdest = out / "feedback" / job.student / ASSIGNMENT
        fdest.mkdir(parents=True, exist_ok=True)
        shutil.copy2(html, fdest / html.name)
    except Exception as exc:  # noqa: BLE001 - the grade stands without its feedback page
        details.append(f"feedback not generated ({type(exc).__name__})")
    phases["feedback"] = time.monotonic() - t2

    return Result(
        score=score,
        status=status,
        detail="; ".join(details + notes),
        tests=tests,
        kernel_start_s=report.get("kernel_start_s"),
        cells_s=report.get("cells_s"),
        phases=phases,
        **{**base, "max_score": max_score},
    )


def cuda_available() -> bool:
    try:
        import torch

        return bool(torch.cuda.is_available())
    except ImportError:
        return False
