"""One job: grade one (student, notebook); never raises.

The job runs in five steps, the same in a local worker process and on a cluster worker:

- :func:`prepare` a private scratch course (the source notebook and a copy of the gradebook
  template) holding the submission rebuilt on the source's skeleton (:mod:`autograder.restore`),
  and the folders its kernel sees;
- :func:`configure` nbgrader's ``Autograde`` with our preprocessors in its pipeline (the kernel
  in the sandbox, forked from the worker's fork server; stderr is not an error; tampering costs
  the affected tests) and ``GenerateFeedback`` minus the hidden tests;
- :func:`run` both converters and collect the execution report, the gradebook's scores, the
  autograded notebook and the feedback page (as bytes);
- :func:`classify` the run into a status and its details: a pure function of the report and
  the autograded notebook;
- :func:`publish` the record and the two files into the output folder.

:func:`grade` does the first four and returns a :class:`Graded` (plain data, bytes for the
files, so that it can travel from a cluster worker to the coordinator); :func:`grade_job` is the
local pool's job: :func:`grade`, then :func:`publish` at once. Problems become a status and a
``detail``.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import compile_cache, converter, spare
from .course import ASSIGNMENT, Course, config_for, ensure_scripts_on_path
from .plan import Job, read_source
from .results import (
    JOB_ERROR,
    Result,
    Status,
    failure,
    gradebook_scores,
    record,
    save,
    write_atomic,
)

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
NO_FEEDBACK = "feedback not generated ({error})"


@dataclass
class Graded:
    """What one job produces: its record and, when it ran, the autograded notebook and the
    feedback page as bytes (written into the output folder by :func:`publish`)."""

    result: Result
    autograded: bytes | None = None
    feedback: bytes | None = None


def feedback_path(out: Path, student: str, notebook: str) -> Path:
    return Path(out) / "feedback" / student / ASSIGNMENT / f"{notebook}.html"


def publish(job: Job, graded: Graded, out: Path | str | None = None) -> Result:
    """Write ``graded`` into ``out`` (default: the job's): the autograded notebook, the feedback
    page, then the record (last: a record on disk means the job is done)."""
    out = Path(out if out is not None else job.out)
    res = graded.result
    if graded.autograded is not None:
        write_atomic(
            Course(out).autograded_dir(res.student) / f"{res.notebook}.ipynb", graded.autograded
        )
    if graded.feedback is not None:
        write_atomic(feedback_path(out, res.student, res.notebook), graded.feedback)
    save(res, out)
    return res


_WORKER_START: float | None = None


def worker_started(seconds: float) -> None:
    """Record how long this pool worker took to start: told by its first job's record."""
    global _WORKER_START
    _WORKER_START = seconds


def grade_job(job: Job) -> Result:
    """The local pool's job: grade one (student, notebook) and publish it; never raises."""
    global _WORKER_START
    graded = grade(job)
    graded.result.worker_start_s, _WORKER_START = _WORKER_START, None
    return publish(job, graded)


def grade(job: Job) -> Graded:
    """Grade one (student, notebook) in this process; never raises: problems become a status."""
    t0 = time.monotonic()
    if job.invalid:
        graded = Graded(failure(job, Status.INVALID_NOTEBOOK, "; ".join([job.invalid, *job.notes])))
    else:
        scratch = Path(tempfile.mkdtemp(prefix=f"{scratch_tag(job)}-", dir=_scratch_root(job)))
        try:
            graded = _grade_in(scratch, job)
        except Exception as exc:  # noqa: BLE001 - one bad submission never stops a batch
            graded = Graded(
                failure(job, Status.ERROR, JOB_ERROR.format(error=_explain(exc, scratch)))
            )
        finally:
            spare.release_taken()  # a kernel taken for a job that ended before running it
            for handler in logging.getLogger(f"autograder.job.{scratch.name}").handlers[:]:
                handler.close()
            logging.Logger.manager.loggerDict.pop(f"autograder.job.{scratch.name}", None)
            if os.environ.get("CS231N_KEEP_SCRATCH"):
                print(f"kept scratch folder {scratch}")
            else:
                shutil.rmtree(scratch, ignore_errors=True)
                shutil.rmtree(_KERNEL_DIRS.pop(scratch, scratch), ignore_errors=True)
    graded.result.wall_s = time.monotonic() - t0
    return graded


#: the longest temporary folder that scratch folders are made in: a kernel's sockets live at
#: TMP/cs231n-XXXXXXXX/fs-XXXXXXXX/jXXXXXXXX-XXXXXXXX/kernel/k-NNNNN (62 characters more),
#: and a Unix socket's path has at most 107 bytes (a longer one fails in zmq's bind with
#: "File name too long", as under pytest-xdist's deeper temporary folders)
SHORT_TMP = 40


def short_tmp() -> str:
    """The temporary folder when its path is short enough for a kernel's sockets, else /tmp."""
    tmp = tempfile.gettempdir()
    return tmp if len(tmp) <= SHORT_TMP else "/tmp"


def run_scratch() -> Path:
    """A new private scratch folder for a grading run (see :func:`autograder.grade.autograde`)."""
    root = Path(tempfile.mkdtemp(prefix="cs231n-", dir=short_tmp()))
    os.chmod(root, 0o711)  # kernels of another user id reach their own folders, list none
    return root


_OWN_ROOT: Path | None = None


def _scratch_root(job: Job) -> str:
    """The run's private scratch folder when this machine has it, else one of this process
    (a cluster worker's), removed when the process ends."""
    global _OWN_ROOT
    if job.scratch_root and os.path.isdir(job.scratch_root):
        return job.scratch_root
    if _OWN_ROOT is None or not _OWN_ROOT.is_dir():
        from multiprocessing.util import Finalize

        _OWN_ROOT = run_scratch()
        Finalize(None, shutil.rmtree, (_OWN_ROOT,), {"ignore_errors": True}, exitpriority=5)
    return str(_OWN_ROOT)


def scratch_tag(job: Job) -> str:
    """The prefix of a job's scratch folders: the coordinator finds a crashed job's by it."""
    import hashlib

    return "j" + hashlib.sha256(f"{job.student}\0{job.notebook}".encode()).hexdigest()[:8]


def discard_scratch(job: Job) -> None:
    """Remove what a job whose worker died left in the run's scratch folder: its scratch
    course (the source notebook with the solutions) and its kernel's folders. The kernels
    themselves die with their worker (:func:`autograder.kernel.die_with_parent`)."""
    if not job.scratch_root or not os.path.isdir(job.scratch_root):
        return
    root = job.scratch_root
    tag = scratch_tag(job)
    for path in [*Path(root).glob(f"{tag}-*"), *Path(root).glob(f"*/{tag}-*")]:
        shutil.rmtree(path, ignore_errors=True)


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
    env.update(compile_cache.kernel_env(home))  # its own copy of the warm compile cache
    if os.environ.get("PYTHONPATH"):  # the kernel imports the course from where the grader does
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    if gpu:  # which GPUs, and where the driver's libraries are when ld.so.conf does not say
        for name in ("CUDA_VISIBLE_DEVICES", "LD_LIBRARY_PATH"):
            if os.environ.get(name):
                env[name] = os.environ[name]
    return env


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


_FORKSERVER_ROOT: Path | None = None
_KERNEL_DIRS: dict[Path, Path] = {}


def _forget_after_fork() -> None:
    """A forked child (a pool's worker, ours or any other ``ProcessPoolExecutor``) makes its
    own folders and event loop: the parent's folders are removed when the parent ends, its
    fork server's root is its fork server's, and its asyncio loop (jupyter_core keeps one per
    thread once a kernel has run) has an epoll instance shared with the parent and every other
    child, which then wake for one another's sockets and spin."""
    global _OWN_ROOT, _FORKSERVER_ROOT
    _OWN_ROOT, _FORKSERVER_ROOT = None, None
    _KERNEL_DIRS.clear()
    forget_event_loop()


def forget_event_loop() -> None:
    """Drop this thread's asyncio loop, and jupyter_core's, without closing them (a forked
    child's are its parent's)."""
    import asyncio

    try:
        from jupyter_core.utils import _loop
    except ImportError:
        pass
    else:
        _loop.set(None)
    asyncio.set_event_loop(None)


os.register_at_fork(after_in_child=_forget_after_fork)


def forkserver_root(base: str | None = None) -> Path:
    """This worker's folder for its kernels' files, the only one its fork server can write
    (made in ``base``, the run's scratch folder, when given)."""
    global _FORKSERVER_ROOT
    if _FORKSERVER_ROOT is None or not _FORKSERVER_ROOT.is_dir():
        from multiprocessing.util import Finalize

        from .forkserver import close_all

        _FORKSERVER_ROOT = Path(tempfile.mkdtemp(prefix="fs-", dir=base or short_tmp()))
        os.chmod(_FORKSERVER_ROOT, 0o711)
        # run at the exit of this process, a pool worker too (where atexit does not run)
        Finalize(None, close_all, exitpriority=20)
        Finalize(None, shutil.rmtree, (_FORKSERVER_ROOT,), {"ignore_errors": True}, exitpriority=10)
    return _FORKSERVER_ROOT


def kernel_dir(scratch: Path, job: Job) -> Path:
    """The folder that holds a job's kernel-visible folders (work, home, kernel)."""
    if not job.forkserver:
        return scratch
    kdir = Path(
        tempfile.mkdtemp(prefix=f"{scratch_tag(job)}-", dir=forkserver_root(_scratch_root(job)))
    )
    _KERNEL_DIRS[scratch] = kdir
    return kdir


def _explain(exc: Exception, scratch: Path) -> str:
    """One line: the exception, or for nbgrader's summary exception ("see the above
    traceback") the exception its log shows last."""
    import re

    text = f"{type(exc).__name__}: {exc}"
    log = scratch / "nbgrader.log"
    if log.exists():
        lines = [ln.strip() for ln in log.read_text(errors="replace").splitlines() if ln.strip()]
        raised = [ln for ln in lines if re.match(r"^[\w.]+(Error|Exception|Exit)\b", ln)]
        errs = [ln for ln in lines if "Error" in ln or "error" in ln]
        if raised or errs:
            text = (raised or errs)[-1]
    return text.strip()[:300]


@dataclass
class Prepared:
    """A job's scratch course and the folders its kernel sees."""

    course: Path  # the scratch nbgrader course (the source notebook)
    gradebook: Path  # the job's gradebook (converter.fresh_gradebook)
    nb: object  # the submission rebuilt on the source's skeleton (nbformat.NotebookNode)
    release: object  # the released notebook it was rebuilt against (for the feedback page)
    work: Path  # the kernel's working folder (the student's own copy of the notebook)
    home: Path
    runtime: Path  # the kernel's socket folder
    log_dir: Path  # nbgrader's log and the execution report
    uid: int | None
    notes: list[str] = field(default_factory=list)


@dataclass
class Run:
    """What running nbgrader on a prepared job gave."""

    report: dict  # SandboxedExecute's execution report
    graded: object  # the autograded notebook (nbformat.NotebookNode)
    score: float
    max_score: float
    tests: dict[str, list[float]]
    autograded: bytes
    feedback: bytes | None
    feedback_problem: str | None
    phases: dict[str, float]


def prepare(scratch: Path, job: Job) -> Prepared | Result:
    """Build the scratch course and the kernel's folders; an unreadable submission's record."""
    import nbformat

    from .restore import read_submission, rebuild
    from .sandbox import kernel_user_id, sandbox_uid

    template = Path(job.template)
    notes = list(job.notes)
    try:
        submitted = read_submission(Path(job.path))
    except ValueError as exc:
        return failure(job, Status.INVALID_NOTEBOOK, "; ".join([str(exc), *notes]))
    source = read_source(template, job.notebook)
    release = nbformat.read(Course(template).release_dir / f"{job.notebook}.ipynb", as_version=4)
    nb, problems = rebuild(submitted, source, release)
    notes += problems

    course = Course(scratch / "course")
    course.source_dir.mkdir(parents=True)
    os.chmod(course.root, 0o700)  # the source notebook: never for a kernel's user id
    shutil.copy2(template / ASSIGNMENT / f"{job.notebook}.ipynb", course.source_dir)
    gradebook = converter.fresh_gradebook(template, Path(_scratch_root(job)))

    taken = spare.take(job)  # the kernel this worker started for it while the last job ran
    if taken is not None:
        kdir = _KERNEL_DIRS[scratch] = taken.kdir
    else:  # scratch itself, or a folder in the fork server's root
        kdir = kernel_dir(scratch, job)
    work, home, runtime = kdir / "work", kdir / "home", kdir / "kernel"
    for d in (work, home, runtime, home / "tmp"):
        d.mkdir(parents=True, exist_ok=True)
    compile_cache.seed(job, home)
    shutil.copy2(job.path, work / f"{job.notebook}.ipynb")  # the student's own working copy
    uid = None
    if kernel_user_id(sandboxed=job.sandbox):
        uid = taken.uid if taken is not None else sandbox_uid()
        os.chmod(scratch, 0o711)
        os.chmod(kdir, 0o711)
        for d in (work, home, runtime, home / "tmp"):
            _chown_tree(d, uid)
    return Prepared(course.root, gradebook, nb, release, work, home, runtime, scratch, uid, notes)


def _chown_tree(root: Path, uid: int) -> None:
    """``root`` and everything in it given to ``uid``, links themselves and never what they
    point to. A taken spare kernel is already running in these folders: a file it removes
    meanwhile (IPython's history journal, seen under load) is skipped, not an error."""

    def give(path) -> None:
        try:
            os.chown(path, uid, uid, follow_symlinks=False)
        except FileNotFoundError:
            pass

    give(root)
    for folder, dirs, files in os.walk(root):
        for name in (*dirs, *files):
            give(os.path.join(folder, name))


def configure(job: Job, prep: Prepared):
    """The traitlets config of nbgrader's Autograde and GenerateFeedback for this job."""
    from .preprocessors import configure_autograde

    gpu = uses_gpu(job)
    c = config_for(prep.course)
    c.CourseDirectory.student_id = job.student
    c.CourseDirectory.assignment_id = ASSIGNMENT
    c.CourseDirectory.notebook_id = job.notebook
    # Autograde's pipeline and its execution settings (autograder.preprocessors)
    configure_autograde(c, job, prep)
    c.SandboxKernelManager.runtime_dir = str(prep.runtime)
    c.SandboxKernelManager.workdir = str(prep.work)
    c.SandboxKernelManager.writable = [str(prep.work), str(prep.home)]
    c.SandboxKernelManager.uid = prep.uid
    c.SandboxKernelManager.kernel_env = _kernel_env(job, prep.home, gpu)
    kernel_settings(c, job, gpu)
    # The feedback page: autograder.feedback.make_feedback
    return c


def kernel_settings(c, job: Job, gpu: bool) -> None:
    """The settings of ``job``'s kernel manager that do not depend on its folders (a spare
    kernel is started with them, :mod:`autograder.spare`)."""
    c.SandboxKernelManager.sandbox = job.sandbox
    c.SandboxKernelManager.gpu = gpu
    c.SandboxKernelManager.limit_args = job.limits.kernel_args()
    c.SandboxKernelManager.disk_bytes = job.limits.disk_bytes
    c.SandboxKernelManager.message_bytes = job.limits.message_bytes
    c.SandboxKernelManager.forkserver = job.forkserver
    root = forkserver_root(_scratch_root(job)) if job.forkserver else ""
    c.SandboxKernelManager.forkserver_root = str(root)


def run(job: Job, prep: Prepared, c) -> Run:
    """Run nbgrader's Autograde preprocessors (:mod:`autograder.converter`), then the
    feedback page (a failure there keeps the grade)."""
    from .feedback import make_feedback

    ensure_scripts_on_path()
    log = _quiet_logger(prep.log_dir / "nbgrader.log")
    phases: dict[str, float] = {}
    # the next job's kernel, started by SandboxedExecute once this job's kernel runs
    spare.ask(job, c, c.SandboxKernelManager.gpu, prep.uid)
    t1 = time.monotonic()
    course = Course(prep.course)
    db_url = f"sqlite:///{prep.gradebook}"
    graded, text = converter.autograde(
        prep.nb,
        config=c,
        log=log,
        db_url=db_url,
        notebook=job.notebook,
        folder=course.autograded_dir(job.student),
    )
    phases["autograde"] = time.monotonic() - t1
    report_path = prep.log_dir / "execution.json"
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    autograded = text.encode()
    score, max_score, tests = gradebook_scores(db_url, job.notebook, converter.SUBMISSION)
    t2 = time.monotonic()
    feedback, problem = None, None
    try:
        feedback = make_feedback(
            job=job, submitted=prep.nb, release=prep.release, graded=graded, tests=tests
        )
    except Exception as exc:  # noqa: BLE001 - the grade stands without its feedback page
        problem = NO_FEEDBACK.format(error=type(exc).__name__)
    phases["feedback"] = time.monotonic() - t2
    return Run(report, graded, score, max_score, tests, autograded, feedback, problem, phases)


def classify(
    report: dict, graded, *, cell_timeout: float, timeout: float, output_limit: int
) -> tuple[Status, list[str]]:
    """The status of a run and what to tell about it, from the execution report of
    :class:`autograder.preprocessors.SandboxedExecute` and the autograded notebook alone.

    Later findings win: timeout, then a dead kernel, then tampering (rebound names, or a tamper
    guard that never reported although the notebook ran to its end). Memory and process limits
    and dropped output are told in the details without changing the status.
    """
    from .preprocessors.zero_tampered_tests import tamper_outputs

    status, details = Status.GRADED, []
    if report.get("cell_timeouts"):
        status = Status.TIMEOUT
        cells = ", ".join(_label(graded, i) for i in report["cell_timeouts"])
        details.append(TIMEOUT_CELL.format(cells=cells, seconds=cell_timeout))
    if report.get("timed_out"):
        status = Status.TIMEOUT
        details.append(TIMEOUT_NOTEBOOK.format(seconds=timeout))
    died = report.get("kernel_died")
    if died:
        status = Status.KERNEL_DIED
        if died.get("cell") is None:
            details.append(KERNEL_DIED_START.format(reason=died.get("reason")))
        else:
            details.append(
                KERNEL_DIED.format(cell=_label(graded, died["cell"]), reason=died.get("reason"))
            )
    rebound = [n for cell in graded.cells for hit in tamper_outputs(cell) for n in hit]
    found = [f for cell in graded.cells for hit in tamper_outputs(cell, "found") for f in hit]
    final = report.get("final_report")
    if final:
        rebound += final.get("rebound", [])
    if rebound or found:
        status = Status.TAMPERED
        names = list(dict.fromkeys(rebound))
        told = ([TAMPERED.format(names=", ".join(names))] if names else []) + list(
            dict.fromkeys(found)
        )
        details.insert(0, "; ".join(told))
    elif final is None and not died and not report.get("timed_out"):
        status = Status.TAMPERED
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
        details.append(OUTPUT_CUT.format(limit=output_limit))
    return status, details


def _grade_in(scratch: Path, job: Job) -> Graded:
    t0 = time.monotonic()
    prep = prepare(scratch, job)
    if isinstance(prep, Result):
        return Graded(prep)
    c = configure(job, prep)
    prepared = time.monotonic() - t0
    done = run(job, prep, c)
    if job.warm_into:
        compile_cache.harvest(prep.home, Path(job.warm_into))
    status, details = classify(
        done.report,
        done.graded,
        cell_timeout=job.cell_timeout,
        timeout=job.timeout,
        output_limit=job.limits.output_bytes,
    )
    if done.feedback_problem:
        details.append(done.feedback_problem)
    res = record(
        job,
        status=status,
        detail="; ".join(details + prep.notes),
        score=done.score,
        max_score=done.max_score,
        tests=done.tests,
        kernel_start_s=done.report.get("kernel_start_s"),
        cells_s=done.report.get("cells_s"),
        phases={"prepare": prepared, **done.phases},
        kernel=_kernel_told(done.report),
    )
    return Graded(res, done.autograded, done.feedback)


def _kernel_told(report: dict) -> str:
    """How the job's kernel started, for its record: ``spare`` or ``new``, and ``started
    twice`` when the first one died before answering (see SandboxedExecute.preprocess)."""
    told = "spare" if report.get("kernel_adopted") else "new"
    return f"{told}, started twice" if report.get("kernel_start_retried") else told


def warm_worker(first: Job) -> None:
    """Do now what a worker otherwise did in its first jobs, once: compile nbgrader's gradebook
    queries on the engine of this thread's job gradebook, and take each notebook's feedback
    memo (:func:`autograder.feedback.remember`). Run by the pool's worker initializer
    (:func:`autograder.pool._worker_init`); a failure only leaves that work to the jobs."""
    from .feedback import remember
    from .job_gradebook import JobGradebook

    if first.invalid or not first.template:
        return
    template = Path(first.template)
    try:
        db = converter.fresh_gradebook(template, Path(_scratch_root(first)))
        converter.share_engines()
        with JobGradebook(f"sqlite:///{db}") as gb:
            gb.load(first.notebook, ASSIGNMENT, converter.SUBMISSION)
        gradebook_scores(f"sqlite:///{db}", first.notebook, converter.SUBMISSION)
        for path in sorted((template / ASSIGNMENT).glob("*.ipynb")):
            remember(template, path.stem)
    except Exception:  # noqa: BLE001 - the first jobs then do it
        pass


def uses_gpu(job: Job) -> bool:
    """Does ``job``'s kernel get the machine's GPU (``--device cuda``, or ``auto`` with one)?"""
    return job.device in ("cuda", "auto") and cuda_available()


def cuda_available() -> bool:
    try:
        import torch

        return bool(torch.cuda.is_available())
    except ImportError:
        return False
