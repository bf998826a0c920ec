"""``autograde``: grade a class's submissions with nbgrader, in parallel, each in a sandbox.

The run is planned (:mod:`autograder.plan`: submissions -> jobs, the template course), each job
graded in a worker (:mod:`autograder.job`), the jobs run by an executor (:mod:`autograder.pool`;
on a dask cluster: :mod:`autograder.cluster`), and all results merged into ``grades.csv``,
``tests.csv`` and the gradebook (:mod:`autograder.results`). :func:`autograde` skips jobs already graded; the output folder is
itself an nbgrader course directory (``nbgrader formgrader`` works in it).
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import shutil
from pathlib import Path

from .course import CELL_TIMEOUT, SOURCE_NOTEBOOKS, ensure_scripts_on_path
from .job import cuda_available, grade_job, run_scratch
from .plan import RENAMED, Job, match_notebook, plan_jobs, prepare_template
from .pool import default_workers, preload, run_jobs
from .results import STATUSES, GradingError, Result, Status, file_hash, write_atomic
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
    "Status",
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
NO_GPU = (
    "--device {device} needs a CUDA GPU, but torch.cuda.is_available() is False on this machine. "
    "Grade with --device cpu, or run on a machine with a GPU."
)
SAME_USER = (
    "refusing to grade: {where} the kernels would run submitted code with the grader's own user "
    "id and no sandbox ({why}), so one submission could rewrite other students' results, the "
    "grading template or the grader itself. Install bubblewrap (`sudo apt-get install "
    "bubblewrap`), or grade as root with Python where other users can read it, or pass "
    "--unsafe-same-user to grade anyway (the report then says the grades are not protected)."
)
SAME_USER_WARNING = (
    "warning: --unsafe-same-user: {where} kernels run with the grader's own user id and no "
    "sandbox; these grades are not protected from the submissions (the report says so)"
)
SAME_USER_LOCAL = "on this machine"
SAME_USER_WORKERS = "on worker(s) {names}"


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
    scheduler: str | None = None,
    scheduler_file: Path | str | None = None,
    progress: bool = True,
    unsafe_same_user: bool = False,
) -> list[Result]:
    """Grade every ``submissions/<student>/<notebook>.ipynb`` into ``out``; returns all results.

    ``executor``: any ``concurrent.futures.Executor`` whose workers can import this package and
    reach ``out`` (default: a local pool of ``workers`` processes). ``scheduler`` (an address,
    ``tcp://host:8786``) or ``scheduler_file``: grade on that dask cluster's workers instead,
    which share nothing with this machine (:mod:`autograder.cluster`). ``sandbox``: ``None``
    uses bubblewrap when it works (on each machine), ``False`` never. ``forkserver``: fork each
    kernel from a process per worker that has torch imported (:mod:`autograder.forkserver`)
    instead of starting a new Python. ``unsafe_same_user``: grade even where kernels would keep
    the grader's user id without a sandbox (refused otherwise; see :data:`SAME_USER`).

    The run keeps its files in a private scratch folder of its own (the verified copy of the
    template, every job's scratch course and kernel folders), removed when the run ends,
    however it ends.
    """
    if device not in DEVICES:
        raise GradingError(f"--device must be one of {', '.join(DEVICES)}, not {device!r}")
    if device == "cuda" and not (scheduler or scheduler_file) and not cuda_available():
        raise GradingError(NO_GPU.format(device=device))
    quiet_gradebook_warnings()
    out = Path(out).resolve()
    submissions = Path(submissions).resolve()
    out.mkdir(parents=True, exist_ok=True)
    ensure_scripts_on_path()
    scratch = run_scratch()
    cluster = None
    try:
        template, digest, names = prepare_template(out, Path(source_dir), private=scratch)
        if scheduler or scheduler_file:
            from .cluster import Cluster

            cluster = Cluster(scheduler=scheduler, scheduler_file=scheduler_file)
        return _grade_class(
            submissions,
            out,
            template,
            digest,
            names,
            cluster,
            workers=workers or default_workers(),
            timeout=timeout,
            cell_timeout=cell_timeout,
            device=device,
            force=force,
            source_dir=Path(source_dir),
            limits=limits,
            sandbox=sandbox,
            forkserver=forkserver,
            executor=executor,
            progress=progress,
            unsafe_same_user=unsafe_same_user,
            scratch=scratch,
        )
    finally:
        if cluster is not None:
            cluster.close()
        if os.environ.get("CS231N_KEEP_SCRATCH"):
            print(f"kept the run's scratch folder {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


def _grade_class(
    submissions,
    out,
    template,
    digest,
    names,
    cluster,
    *,
    workers,
    timeout,
    cell_timeout,
    device,
    force,
    source_dir,
    limits,
    sandbox,
    forkserver,
    executor,
    progress,
    unsafe_same_user,
    scratch,
) -> list[Result]:
    from . import results as results_mod
    from .sandbox import kernel_user_id, probe

    runner = None
    if cluster is not None:
        reports = cluster.prepare(source_dir, digest)
        use_sandbox = sandbox is not False and all(r["sandboxed"] for r in reports.values())
        reasons = sorted({r["sandbox_reason"] for r in reports.values()})
        same = [
            name
            for name, r in sorted(reports.items())
            if not (r["sandboxed"] and sandbox is not False) and not r.get("drops_user", False)
        ]
        _refuse_same_user(
            same,
            unsafe_same_user,
            where=SAME_USER_WORKERS.format(names=", ".join(same)),
            why="; ".join(reasons) if sandbox is not False else "--no-sandbox",
        )
        results_mod.write_run_info(
            out,
            sandboxed=use_sandbox,
            reason="; ".join(reasons) if sandbox is not False else "disabled",
            limits=limits,
            workers={
                name: {
                    "sandboxed": r["sandboxed"] and sandbox is not False,
                    "missing": _missing(r, sandbox),
                }
                for name, r in sorted(reports.items())
            },
            same_user=bool(same),
        )
        runner = cluster.runner(sandbox=sandbox, out=out)
        executor = cluster.executor
        workers = max(1, cluster.nthreads())
    else:
        usable, why = probe()
        use_sandbox = usable if sandbox is None else (sandbox and usable)
        same = not use_sandbox and not kernel_user_id(sandboxed=False)
        _refuse_same_user(
            same,
            unsafe_same_user,
            where=SAME_USER_LOCAL,
            why=("--no-sandbox" if sandbox is False else why)
            + ("" if os.geteuid() == 0 else "; not root"),
        )
        results_mod.write_run_info(
            out,
            sandboxed=use_sandbox,
            reason=why if sandbox is not False else "disabled",
            limits=limits,
            same_user=same,
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
        scratch_root=str(scratch),
    )
    results_mod.copy_submissions(out, jobs)
    todo = [j for j in jobs if force or not results_mod.is_done(j)]
    if todo and cluster is None:
        prepare_course_data()
        todo = _with_compile_cache(todo, scratch, progress)
        if executor is None:
            preload()
    try:
        run_jobs(todo, workers=workers, executor=executor, progress=progress, runner=runner)
        if cluster is not None:
            cluster.check_refused()
    finally:
        merged = results_mod.merge(out, template, jobs)
    return merged


BUILDING_COMPILE_CACHE = (
    "building the torch.compile cache of {notebooks} from the source (once per version of the "
    "sources and of torch; about a minute)"
)
NO_COMPILE_CACHE = "no torch.compile cache for {notebook}: {why}; its kernels compile from scratch"


def _with_compile_cache(todo: list[Job], scratch: Path, progress: bool) -> list[Job]:
    """The jobs with the run's copy of their notebook's compile cache, built first if needed
    (:mod:`autograder.compile_cache`)."""
    import sys

    from . import compile_cache

    missing = compile_cache.missing(todo)
    if missing and progress:
        print(BUILDING_COMPILE_CACHE.format(notebooks=", ".join(missing)), file=sys.stderr)
    todo, told = compile_cache.for_run(todo, scratch)
    for notebook, what in told.items():
        if "none" in what:
            print(NO_COMPILE_CACHE.format(notebook=notebook, why=what["none"]), file=sys.stderr)
    return todo


def _refuse_same_user(same, unsafe: bool, *, where: str, why: str) -> None:
    """Stop the run before any job when kernels would keep the grader's user id unprotected."""
    if same and not unsafe:
        raise GradingError(SAME_USER.format(where=where, why=why))
    if same:
        import sys

        print(SAME_USER_WARNING.format(where=where), file=sys.stderr)


def _missing(report: dict, sandbox: bool | None) -> list[str]:
    """The protections a worker's kernels lack (all of the sandbox's when it is turned off)."""
    if sandbox is not False:
        return list(report["missing"])
    from .sandbox import protections

    return [k for k, ok in protections(sandboxed=False).items() if not ok]


def prepare_course_data() -> None:
    """Write the data the notebooks read (the digits image folder) once, before grading.

    Kernels see the course's ``data/`` read-only; without this each one would rebuild the
    folder in its own scratch home.
    """
    from cs231n_tools.data import digits_image_folder

    digits_image_folder()
