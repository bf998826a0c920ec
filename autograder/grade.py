"""``autograde``: grade a class's submissions with nbgrader, in parallel, each in a sandbox.

The run is planned (:mod:`autograder.plan`: submissions -> jobs, the template course), each job
graded in a worker (:mod:`autograder.job`), the jobs run by an executor (:mod:`autograder.pool`),
and all results merged into ``grades.csv``, ``tests.csv`` and the gradebook
(:mod:`autograder.results`). :func:`autograde` skips jobs already graded; the output folder is
itself an nbgrader course directory (``nbgrader formgrader`` works in it).
"""

from __future__ import annotations

import concurrent.futures as cf
import os
from pathlib import Path

from .course import CELL_TIMEOUT, SOURCE_NOTEBOOKS, ensure_scripts_on_path
from .job import cuda_available, grade_job
from .plan import (
    RENAMED,
    GradingError,
    Job,
    Result,
    file_hash,
    match_notebook,
    plan_jobs,
    prepare_template,
    write_atomic,
)
from .pool import default_workers, preload, run_jobs
from .sandbox import Limits

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_TIMEOUT",
    "DEVICES",
    "NO_GPU",
    "RENAMED",
    "STATUSES",
    "GradingError",
    "Job",
    "Result",
    "autograde",
    "cuda_available",
    "default_workers",
    "file_hash",
    "grade_job",
    "match_notebook",
    "write_atomic",
]

# -- defaults, defined once (the CLI reads them from autograde.__kwdefaults__) ---------------------
DEFAULT_TIMEOUT = 300.0
DEVICES = ("cpu", "cuda", "auto")
DEFAULT_LIMITS = Limits()
STATUSES = ("graded", "timeout", "kernel_died", "invalid_notebook", "tampered", "error")
NO_GPU = (
    "--device {device} needs a CUDA GPU, but torch.cuda.is_available() is False on this machine. "
    "Grade with --device cpu, or run on a machine with a GPU."
)


def quiet_gradebook_warnings() -> None:
    """nbgrader's gradebook code makes SQLAlchemy warn about its own session use (SAWarning,
    harmless, many per notebook); they would bury the grader's own messages."""
    import warnings

    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)


def autograde(
    submissions: Path | str,
    out: Path | str,
    *,
    workers: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    cell_timeout: float = CELL_TIMEOUT,
    device: str = "cpu",
    force: bool = False,
    source_dir: Path | str = SOURCE_NOTEBOOKS,
    limits: Limits = DEFAULT_LIMITS,
    sandbox: bool | None = None,
    forkserver: bool = True,
    executor: cf.Executor | None = None,
    progress: bool = True,
) -> list[Result]:
    """Grade every ``submissions/<student>/<notebook>.ipynb`` into ``out``; returns all results.

    ``executor``: any ``concurrent.futures.Executor`` whose workers can import this package and
    reach ``out`` (default: a local pool of ``workers`` processes). ``sandbox``: ``None`` uses
    bubblewrap when it works here, ``False`` never. ``forkserver``: fork each kernel from a
    process per worker that has torch imported (:mod:`autograder.forkserver`) instead of
    starting a new Python.
    """
    from . import results as results_mod
    from .sandbox import probe

    if device not in DEVICES:
        raise GradingError(f"--device must be one of {', '.join(DEVICES)}, not {device!r}")
    if device == "cuda" and not cuda_available():
        raise GradingError(NO_GPU.format(device=device))
    quiet_gradebook_warnings()
    out = Path(out).resolve()
    submissions = Path(submissions).resolve()
    out.mkdir(parents=True, exist_ok=True)
    ensure_scripts_on_path()
    template, digest, names = prepare_template(out, Path(source_dir))
    usable, why = probe()
    use_sandbox = usable if sandbox is None else (sandbox and usable)
    workers = workers or default_workers()
    results_mod.write_run_info(
        out,
        sandboxed=use_sandbox,
        reason=why if sandbox is not False else "disabled",
        limits=limits,
    )
    jobs = plan_jobs(
        submissions,
        names,
        template,
        out=str(out),
        source_hash=digest,
        timeout=float(timeout),
        cell_timeout=float(cell_timeout),
        device=device,
        limits=limits,
        sandbox=use_sandbox,
        forkserver=forkserver,
        threads=max(1, (os.cpu_count() or 1) // workers),
    )
    results_mod.copy_submissions(out, jobs)
    todo = [j for j in jobs if force or not results_mod.is_done(j)]
    if todo:
        prepare_course_data()
    if todo and executor is None:
        preload()
    try:
        run_jobs(todo, workers=workers, executor=executor, progress=progress)
    finally:
        merged = results_mod.merge(out, template, jobs)
    return merged


def prepare_course_data() -> None:
    """Write the data the notebooks read (the digits image folder) once, before grading.

    Kernels see the course's ``data/`` read-only; without this each one would rebuild the
    folder in its own scratch home.
    """
    from cs231n_tools.data import digits_image_folder

    digits_image_folder()
