"""``autograde``: grade a class's submissions with nbgrader, in parallel, each in a sandbox.

One job is one (student, notebook). :func:`grade_job` runs in a worker process: it builds a
private scratch course (the source notebook and a copy of the gradebook template), rebuilds the
submission on the source's skeleton (:mod:`autograder.restore`), runs nbgrader's own
``Autograde`` converter on it with our preprocessors in its pipeline (the kernel in the sandbox,
stderr is not an error, tampering costs the affected tests), renders the feedback with nbgrader's
``GenerateFeedback`` minus the hidden tests, and writes one JSON result atomically.
:func:`autograde` submits the jobs to any ``concurrent.futures.Executor`` (a local process pool
by default), skips jobs already graded, and merges all results into ``grades.csv``,
``tests.csv`` and the gradebook (:mod:`autograder.results`). The output folder is itself an
nbgrader course directory (``nbgrader formgrader`` works in it).
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .course import (
    ASSIGNMENT,
    CELL_TIMEOUT,
    SOURCE_NOTEBOOKS,
    Course,
    config_for,
    ensure_scripts_on_path,
)
from .sandbox import Limits

# -- defaults, defined once (the CLI reads them from autograde.__kwdefaults__) ---------------------
DEFAULT_TIMEOUT = 300.0
DEVICES = ("cpu", "cuda", "auto")
DEFAULT_LIMITS = Limits()
STATUSES = ("graded", "timeout", "kernel_died", "invalid_notebook", "tampered", "error")

# -- messages ------------------------------------------------------------------------------------
NO_GPU = (
    "--device {device} needs a CUDA GPU, but torch.cuda.is_available() is False on this machine. "
    "Grade with --device cpu, or run on a machine with a GPU."
)
NO_SUBMISSIONS = "no submissions found in {path}: expected <student_id>/<notebook>.ipynb files"
NO_SOURCE = "no source notebooks (*.ipynb) in {path}"
NOT_A_COURSE_NOTEBOOK = "'{name}' matches none of the course's notebooks ({known})"
RENAMED = "submitted as '{name}': graded as {notebook}"
DUPLICATE_SUBMISSION = "'{name}' is a second copy of {notebook} (graded: '{kept}')"
INVALID = "{reason}"
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


class GradingError(RuntimeError):
    """A problem with the grading run itself (not with one submission)."""


@dataclass(frozen=True)
class Job:
    student: str
    notebook: str  # the course notebook it is graded as
    path: str  # the submitted file
    out: str  # the output folder
    template: str  # course dir with the source notebooks, release and gradebook template
    source_hash: str
    timeout: float
    cell_timeout: float
    device: str
    limits: Limits
    sandbox: bool
    threads: int
    notes: tuple[str, ...] = ()
    invalid: str | None = None

    @property
    def result_path(self) -> Path:
        return result_path(Path(self.out), self.student, self.notebook)


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


def result_path(out: Path, student: str, notebook: str) -> Path:
    return out / "results" / student / f"{notebook}.json"


def file_hash(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError:
        return ""


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


# -- the class's layout ----------------------------------------------------------------------------
def source_notebooks(source_dir: Path) -> list[str]:
    names = sorted(p.stem for p in Path(source_dir).glob("*.ipynb"))
    if not names:
        raise GradingError(NO_SOURCE.format(path=source_dir))
    return names


def _hash_sources(source_dir: Path, names: list[str]) -> str:
    h = hashlib.sha256()
    for name in names:
        h.update(name.encode())
        h.update((Path(source_dir) / f"{name}.ipynb").read_bytes())
    return h.hexdigest()[:16]


def template_cache() -> Path:
    """Where generated templates are kept (``$CS231N_AUTOGRADER_CACHE``, else the user's cache)."""
    env = os.environ.get("CS231N_AUTOGRADER_CACHE")
    base = (
        Path(env)
        if env
        else Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
        / "cs231n"
        / "autograder"
    )
    return base / "templates"


def prepare_template(out: Path, source_dir: Path) -> tuple[Path, str, list[str]]:
    """An nbgrader course of the sources with its release and gradebook (``nbgrader
    generate_assignment``), made once per version of the sources and kept in
    :func:`template_cache` (built in a temporary folder, then renamed into place)."""
    names = source_notebooks(source_dir)
    digest = _hash_sources(source_dir, names)
    template = template_cache() / digest
    if not (template / "SOURCE_HASH").exists():
        template.parent.mkdir(parents=True, exist_ok=True)
        build = Path(tempfile.mkdtemp(prefix=f".{digest}-", dir=template.parent))
        try:
            course = Course.create(build, names, source_dir=Path(source_dir))
            course.generate_release()
            (build / "SOURCE_HASH").write_text(digest)
            try:
                os.rename(build, template)
            except OSError:  # another run made it first
                pass
        finally:
            shutil.rmtree(build, ignore_errors=True)
    return template, digest, names


def _normal(name: str) -> str:
    name = re.sub(r"(-copy\d*| \(\d+\)|_\d+$| copy$)", "", name.lower())
    return re.sub(r"[^a-z0-9]", "", name)


def match_notebook(path: Path, names: list[str], template: Path) -> tuple[str | None, str | None]:
    """The course notebook a submitted file is, and a note when it was renamed."""
    stem = path.stem
    if stem in names:
        return stem, None
    by_norm = {_normal(n): n for n in names}
    if _normal(stem) in by_norm:
        return by_norm[_normal(stem)], RENAMED.format(
            name=path.name, notebook=by_norm[_normal(stem)]
        )
    for n in names:  # "01_tensors_final", "my 01_tensors"
        if _normal(n) in _normal(stem):
            return n, RENAMED.format(name=path.name, notebook=n)
    try:
        from .restore import grade_id, read_submission

        nb = read_submission(path)
    except Exception:  # noqa: BLE001 - unreadable: graded as invalid under its own name
        return None, None
    gids = {grade_id(c) for c in nb.cells} - {None}
    best, overlap = None, 0
    for n in names:
        src = read_source(template, n)
        common = len(
            gids
            & {
                grade_id(c)
                for c in src.cells
                if grade_id(c) and grade_id(c) not in ("setup", "seed")
            }
        )
        if common > overlap:
            best, overlap = n, common
    if best:
        return best, RENAMED.format(name=path.name, notebook=best)
    return None, None


def read_source(template: Path, name: str):
    import nbformat

    return nbformat.read(template / ASSIGNMENT / f"{name}.ipynb", as_version=4)


def find_submissions(submissions: Path) -> dict[str, list[Path]]:
    """student -> submitted notebooks, from ``<student>/*.ipynb`` (or ``<student>/notebooks/``)."""
    found: dict[str, list[Path]] = {}
    for student_dir in sorted(
        p for p in Path(submissions).iterdir() if p.is_dir() and not p.name.startswith(".")
    ):
        files = sorted(student_dir.glob("*.ipynb")) + sorted(
            (student_dir / ASSIGNMENT).glob("*.ipynb")
        )
        if files:
            found[student_dir.name] = files
    if not found:
        raise GradingError(NO_SUBMISSIONS.format(path=submissions))
    return found


def plan_jobs(submissions: Path, names: list[str], template: Path, **common) -> list[Job]:
    jobs: list[Job] = []
    for student, files in find_submissions(submissions).items():
        taken: dict[str, str] = {}
        ordered = sorted(files, key=lambda p: (p.stem not in names, p.name))  # exact names first
        for path in ordered:
            notebook, note = match_notebook(path, names, template)
            notes = [note] if note else []
            invalid = None
            if notebook is None:
                notebook = path.stem
                from .restore import read_submission

                try:
                    read_submission(path)
                    invalid = NOT_A_COURSE_NOTEBOOK.format(name=path.name, known=", ".join(names))
                except ValueError as exc:
                    invalid = INVALID.format(reason=str(exc))
            elif notebook in taken:
                invalid = DUPLICATE_SUBMISSION.format(
                    name=path.name, notebook=notebook, kept=taken[notebook]
                )
                notebook, notes = path.stem, []
            else:
                taken[notebook] = path.name
            jobs.append(
                Job(
                    student=student,
                    notebook=notebook,
                    path=str(path),
                    template=str(template),
                    notes=tuple(notes),
                    invalid=invalid,
                    **common,
                )
            )
    return jobs


# -- one job ---------------------------------------------------------------------------------------
def _kernel_env(job: Job, home: Path, gpu: bool) -> dict[str, str]:
    import sys

    from .course import REPO_ROOT

    data = REPO_ROOT / "data"
    env = {
        "PATH": os.pathsep.join(
            [os.path.dirname(sys.executable), "/usr/local/bin", "/usr/bin", "/bin"]
        ),
        "HOME": str(home),
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
    if gpu and os.environ.get("CUDA_VISIBLE_DEVICES"):
        env["CUDA_VISIBLE_DEVICES"] = os.environ["CUDA_VISIBLE_DEVICES"]
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


def template_scores(template: Path, notebook: str) -> tuple[float, dict[str, list[float]]]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{template / 'gradebook.db'}") as gb:
        nb = gb.find_notebook(notebook, ASSIGNMENT)
        tests = {
            c.name: [0.0, float(c.max_score)]
            for c in nb.grade_cells
            if c.cell_type == "code" and c.max_score
        }
        return float(nb.max_score), tests


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
    res.wall_s = time.monotonic() - t0
    write_atomic(job.result_path, json.dumps(asdict(res), indent=1))
    return res


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
    from .sandbox import sandbox_uid

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

    work, home, runtime = scratch / "work", scratch / "home", scratch / "kernel"
    for d in (work, home, runtime, home / "tmp"):
        d.mkdir(parents=True)
    shutil.copy2(job.path, work / f"{job.notebook}.ipynb")  # the student's own working copy
    uid = None
    if os.geteuid() == 0:
        uid = sandbox_uid()
        os.chmod(scratch, 0o711)
        for d in (work, home, runtime, home / "tmp"):
            for p in [d, *d.rglob("*")]:
                os.chown(p, uid, uid)
    report_path = scratch / "execution.json"
    gpu = job.device in ("cuda", "auto") and _cuda_available()

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


def _cuda_available() -> bool:
    try:
        import torch

        return bool(torch.cuda.is_available())
    except ImportError:
        return False


# -- the class -------------------------------------------------------------------------------------
def default_workers() -> int:
    return os.cpu_count() or 1


def make_executor(workers: int) -> cf.Executor:
    """The local pool: one process per worker, forked so that nbgrader is imported once."""
    import multiprocessing as mp

    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
    return cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init)


PRELOAD = (
    "nbformat",
    "nbclient",
    "jupyter_client.manager",
    "nbconvert.exporters.html",
    "nbgrader.api",
    "nbgrader.converters",
    "nbgrader.preprocessors",
    "sqlalchemy",
    "autograder.preprocessors",
    "autograder.restore",
    "tqdm",
)


def preload() -> None:
    """Import what every job needs once, in the parent, so forked workers start with it."""
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)


def _worker_init() -> None:
    # Ctrl-C is the parent's to handle: it stops the pool (see run_jobs), workers do not
    # finish half a job on their own.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stop_workers(ex: cf.Executor) -> None:
    """End a local pool's worker processes now (their kernels die with them)."""
    for proc in list((getattr(ex, "_processes", None) or {}).values()):
        try:
            proc.terminate()
        except Exception:  # noqa: BLE001 - already gone
            pass


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
    executor: cf.Executor | None = None,
    progress: bool = True,
) -> list[Result]:
    """Grade every ``submissions/<student>/<notebook>.ipynb`` into ``out``; returns all results.

    ``executor``: any ``concurrent.futures.Executor`` whose workers can import this package and
    reach ``out`` (default: a local pool of ``workers`` processes). ``sandbox``: ``None`` uses
    bubblewrap when it works here, ``False`` never.
    """
    from . import results as results_mod
    from .sandbox import probe

    if device not in DEVICES:
        raise GradingError(f"--device must be one of {', '.join(DEVICES)}, not {device!r}")
    if device == "cuda" and not _cuda_available():
        raise GradingError(NO_GPU.format(device=device))
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


def run_jobs(
    jobs: list[Job], *, workers: int, executor: cf.Executor | None = None, progress: bool = True
) -> None:
    """Run :func:`grade_job` over ``jobs``; a broken local pool is replaced and its jobs retried once."""
    from tqdm import tqdm

    if not jobs:
        return
    own = executor is None
    attempts: dict[Job, int] = {}
    pending = list(jobs)
    bar = None
    try:
        while pending:
            ex = executor if executor is not None else make_executor(workers)
            futures = {ex.submit(grade_job, j): j for j in pending}
            if bar is None:
                tqdm.monitor_interval = 0
                bar = tqdm(
                    total=len(jobs),
                    unit="nb",
                    desc="grading",
                    disable=not progress,
                    dynamic_ncols=True,
                )
            pending = []
            try:
                for fut in cf.as_completed(futures):
                    job = futures[fut]
                    try:
                        res = fut.result()
                        bar.set_postfix_str(
                            f"{job.student}/{job.notebook}: {res.status}", refresh=False
                        )
                        bar.update()
                    except cf.process.BrokenProcessPool:
                        attempts[job] = attempts.get(job, 0) + 1
                        if attempts[job] < 2:
                            pending.append(job)
                        else:
                            _record_crash(job, "the worker process crashed twice")
                            bar.update()
                    except Exception as exc:  # noqa: BLE001 - e.g. a remote executor's failure
                        _record_crash(job, f"{type(exc).__name__}: {exc}")
                        bar.update()
            except KeyboardInterrupt:
                if own:
                    _stop_workers(ex)
                raise
            finally:
                if own:
                    ex.shutdown(wait=False, cancel_futures=True)
    finally:
        if bar is not None:
            bar.close()


def _record_crash(job: Job, why: str) -> None:
    try:
        max_score, tests = template_scores(Path(job.template), job.notebook)
    except Exception:  # noqa: BLE001
        max_score, tests = 0.0, {}
    res = Result(
        student=job.student,
        notebook=job.notebook,
        score=0.0,
        max_score=max_score,
        status="error",
        detail=JOB_ERROR.format(error=why),
        tests=tests,
        source_hash=job.source_hash,
        submitted_as=Path(job.path).name,
        submission_hash=file_hash(Path(job.path)),
    )
    write_atomic(job.result_path, json.dumps(asdict(res), indent=1))
