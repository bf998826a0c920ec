"""Grading on a cluster: the same jobs, run by dask.distributed workers on other machines.

The coordinator (``python -m autograder autograde ... --scheduler-file F`` or ``--scheduler
tcp://host:port``) plans the class as usual and submits each job through
``Client.get_executor(pure=False)`` into :func:`autograder.pool.run_jobs`. Nothing is shared
but the scheduler's connection: a job travels as a :class:`Parcel` (the job and the submitted
file's bytes), runs on the worker through exactly the local job's code
(:func:`autograder.job.grade`), and comes back as a :class:`autograder.job.Graded` (the record,
the autograded notebook and the feedback page, as bytes), which the coordinator writes into
``--out`` with :func:`autograder.job.publish`, as the local pool does.

:class:`CoursePlugin`, registered by the coordinator (not by hand), prepares each worker once:
the template course from *its own* copy of the source notebooks, the course data, the sandbox
probe on *that* machine (``run.json`` lists per worker which protection is missing) and the
kernels' thread count from that machine's cores. A worker refuses jobs (:class:`WorkerRefused`)
when it runs more than one thread (nbgrader changes the working directory of the whole process)
or when its course (source notebooks and grading code, :func:`autograder.plan.course_hash`)
differs from the coordinator's.

Faults: a worker that dies mid-job has its job run again elsewhere by the scheduler, and the
coordinator writes each job once; a job that ends every worker it lands on becomes, after the
scheduler's ``allowed-failures``, one ``error`` row; a lost scheduler stops the run with
:data:`SCHEDULER_LOST`, keeping what was finished; Ctrl-C cancels the futures.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import functools
import gc
import os
import tempfile
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from . import compile_cache
from .course import REPO_ROOT
from .job import Graded, grade, publish
from .plan import Job, course_hash, prepare_template
from .pool import Runner
from .results import JOB_ERROR, GradingError, Result, Status, failure, save

NEEDS_DISTRIBUTED = (
    "grading on a cluster needs dask.distributed: install the course with its 'cluster' extra "
    "(pip install -e '.[cluster]'; `make install` does)"
)
NO_SCHEDULER_FILE = (
    "no scheduler file {path}: start the scheduler first (dask scheduler --scheduler-file {path})"
)
CONNECT_FAILED = "could not reach the dask scheduler at {address}: {error}"
NO_WORKERS = (
    "the dask scheduler at {address} has no workers after {seconds:g} s: start some with "
    "`dask worker {how} --nthreads 1`"
)
THREADS_REFUSED = (
    "worker {name} runs {n} threads: start grading workers with --nthreads 1 (nbgrader changes "
    "the working directory of the whole process, so a worker process grades one job at a time)"
)
COURSE_DIFFERS = (
    "worker {name} has another version of the course (course hash {theirs}, the coordinator's "
    "{ours}): install the same commit of the course, with the same source notebooks ({source}), "
    "on every worker"
)
NO_SOURCE_HERE = "worker {name} cannot prepare the course: {error}"
WORKERS_REFUSED = "these workers refuse to grade:\n  {lines}"
JOBS_REFUSED = (
    "{n} jobs were refused by workers and are not graded ({reasons}); fix those workers and run "
    "the same command again: the graded results are kept"
)
KILLED = "the job ended the worker process it ran on, on every try ({error}); it was not graded"
SCHEDULER_LOST = (
    "lost the dask scheduler ({error}): the results finished so far are kept in {out}; start "
    "the scheduler and workers again and run the same command to grade the rest"
)
PLUGIN_NAME = "cs231n-autograder-course"
WAIT_FOR_WORKERS_S = 60.0


class WorkerRefused(RuntimeError):
    """This worker cannot grade for this coordinator (threads, or another course)."""


@dataclass(frozen=True)
class Parcel:
    """What travels to a worker for one job: the job (its paths are only names there), the
    submitted file's bytes, the course it must be graded with and the sandbox request."""

    job: Job
    submission: bytes
    course_hash: str
    source: str  # the source notebooks: relative to the course's top folder, or absolute
    sandbox: bool | None  # None: bubblewrap where the worker has it
    per_host: dict  # host -> worker processes there (they share its cores)


# -- on the worker ------------------------------------------------------------------------------
_STATE: dict = {}
_LOCK = threading.Lock()


def usable_cores() -> int:
    """The cores this process may run on (a Slurm job's allocation, not the whole node)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def source_on_worker(source: str) -> Path:
    path = Path(source)
    return path if path.is_absolute() else REPO_ROOT / path


def prepare_worker(name: str, nthreads: int, source: str, per_host: int) -> dict:
    """Everything a job needs on this worker, made once per worker process."""
    from .grade import prepare_course_data
    from .pool import preload
    from .sandbox import kernel_user_id, probe, protections

    with _LOCK:
        if _STATE.get("source") == source and _STATE.get("nthreads") == nthreads:
            return _STATE
        state = {"name": name, "source": source, "nthreads": nthreads, "refused": None}
        usable, why = probe()
        state.update(
            sandbox_usable=usable,
            sandbox_reason=why,
            missing=[k for k, ok in protections(sandboxed=usable).items() if not ok],
            drops_user=kernel_user_id(sandboxed=False),
            threads=max(1, usable_cores() // max(1, per_host)),
        )
        if nthreads != 1:
            state["refused"] = THREADS_REFUSED.format(name=name, n=nthreads)
        try:
            template, digest, _ = prepare_template(None, source_on_worker(source))
            state.update(template=str(template), course_hash=course_hash(digest))
            prepare_course_data()
            preload()
            gc.freeze()  # as a local worker does (autograder.pool._worker_init)
        except Exception as exc:  # noqa: BLE001 - reported to the coordinator
            state["course_hash"] = None
            state["refused"] = state["refused"] or NO_SOURCE_HERE.format(
                name=name, error=f"{type(exc).__name__}: {exc}"
            )
        _STATE.clear()
        _STATE.update(state)
        return _STATE


def _this_worker() -> tuple[str, int, str]:
    from distributed import get_worker

    worker = get_worker()
    return worker_name(worker), worker.state.nthreads, worker.address.rsplit(":", 1)[0]


def worker_name(worker) -> str:
    name = worker.name
    return str(name) if isinstance(name, str) and name else str(worker.address)


def worker_report(source: str, per_host: dict, dask_worker=None) -> dict:
    """What the coordinator records about this worker (``run.json``'s ``"workers"``)."""
    host = dask_worker.address.rsplit(":", 1)[0]
    state = prepare_worker(
        worker_name(dask_worker), dask_worker.state.nthreads, source, per_host.get(host, 1)
    )
    return {
        "sandboxed": bool(state["sandbox_usable"]),
        "missing": list(state["missing"]),
        "sandbox_reason": state["sandbox_reason"],
        "drops_user": bool(state.get("drops_user")),
        "threads": state["threads"],
        "course_hash": state.get("course_hash"),
        "refused": state["refused"],
    }


def grade_remote(parcel: Parcel) -> Graded:
    """A cluster worker's job: the local job's code on the parcel's bytes."""
    name, nthreads, host = _this_worker()
    state = prepare_worker(name, nthreads, parcel.source, parcel.per_host.get(host, 1))
    if state["refused"]:
        raise WorkerRefused(state["refused"])
    if state["course_hash"] != parcel.course_hash:
        raise WorkerRefused(
            COURSE_DIFFERS.format(
                name=name,
                theirs=state["course_hash"],
                ours=parcel.course_hash,
                source=parcel.source,
            )
        )
    sandbox = (
        state["sandbox_usable"]
        if parcel.sandbox is None
        else (parcel.sandbox and state["sandbox_usable"])
    )
    with tempfile.TemporaryDirectory(prefix="cs231n-parcel-") as tmp:
        path = Path(tmp) / Path(parcel.job.path).name
        path.write_bytes(parcel.submission)
        job = replace(
            parcel.job,
            path=str(path),
            template=state["template"],
            out=tmp,
            sandbox=sandbox,
            threads=state["threads"],
            scratch_root="",  # the coordinator's scratch folder is not on this machine
        )
        folder, _, _ = compile_cache.ensure(job)  # this machine's, built by its first such job
        return grade(replace(job, compile_cache=str(folder) if folder else ""))


try:
    from distributed import WorkerPlugin as _WorkerPlugin
except ImportError:  # the local pool works without dask
    _WorkerPlugin = object


class CoursePlugin(_WorkerPlugin):
    """Prepares every worker, present and joining later, once (see :func:`prepare_worker`)."""

    name = PLUGIN_NAME

    def __init__(self, source: str, per_host: dict[str, int]):
        self.source = source
        self.per_host = per_host

    async def setup(self, worker):
        host = worker.address.rsplit(":", 1)[0]
        await asyncio.to_thread(
            prepare_worker,
            worker_name(worker),
            worker.state.nthreads,
            self.source,
            self.per_host.get(host, 1),
        )


# -- on the coordinator -------------------------------------------------------------------------
def source_for_workers(source_dir: Path) -> str:
    """How workers find the source notebooks: relative to the course's top folder when they
    are inside it (each worker has its own copy there), else the same absolute path."""
    source_dir = Path(source_dir).resolve()
    try:
        return source_dir.relative_to(REPO_ROOT.resolve()).as_posix()
    except ValueError:
        return str(source_dir)


class Cluster:
    """A connection to a dask scheduler that grades jobs on its workers."""

    def __init__(
        self,
        *,
        scheduler: str | None = None,
        scheduler_file: Path | str | None = None,
        timeout: float | None = None,
    ):
        try:
            from distributed import Client
        except ImportError as exc:
            raise GradingError(NEEDS_DISTRIBUTED) from exc
        self.address = scheduler or f"scheduler file {scheduler_file}"
        self.how = scheduler or f"--scheduler-file {scheduler_file}"
        if scheduler_file is not None and not Path(scheduler_file).is_file():
            raise GradingError(NO_SCHEDULER_FILE.format(path=scheduler_file))
        kw = {"timeout": timeout} if timeout is not None else {}
        try:
            if scheduler_file is not None:
                self.client = Client(scheduler_file=str(scheduler_file), set_as_default=False, **kw)
            else:
                self.client = Client(scheduler, set_as_default=False, **kw)
        except GradingError:
            raise
        except (OSError, TimeoutError, ValueError) as exc:
            raise GradingError(
                CONNECT_FAILED.format(address=self.address, error=f"{type(exc).__name__}: {exc}")
            ) from exc
        self.executor = self.client.get_executor(pure=False)
        self.refused: list[str] = []

    def close(self) -> None:
        try:
            self.executor.shutdown(wait=False)
        except Exception:  # noqa: BLE001 - the scheduler may be gone
            pass
        self.client.close(timeout=5)

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def nthreads(self) -> int:
        try:
            return sum(self.client.nthreads().values())
        except Exception:  # noqa: BLE001 - the scheduler is gone: the next result says so
            return 1

    def window(self) -> int:
        """Jobs kept in flight: two per worker thread, so that a worker finds its next job
        at the scheduler when it finishes one (the dispatch round trip stays hidden)."""
        return 2 * self.nthreads()

    def prepare(self, source_dir: Path, digest: str, *, wait_s: float = WAIT_FOR_WORKERS_S) -> dict:
        """Register :class:`CoursePlugin` and return ``{worker: report}``; a
        :class:`GradingError` when there is no worker or one refuses."""
        try:
            self.client.wait_for_workers(1, timeout=wait_s)
        except TimeoutError as exc:
            raise GradingError(
                NO_WORKERS.format(address=self.address, seconds=wait_s, how=self.how)
            ) from exc
        self.source = source_for_workers(source_dir)
        self.course_hash = course_hash(digest)
        info = self.client.scheduler_info(n_workers=-1)["workers"]
        hosts: dict[str, int] = {}
        for addr in info:
            host = addr.rsplit(":", 1)[0]
            hosts[host] = hosts.get(host, 0) + 1
        self.per_host = hosts
        self.client.register_plugin(CoursePlugin(self.source, hosts), name=PLUGIN_NAME)
        reports = self.client.run(functools.partial(worker_report, self.source, hosts))
        named = {}
        problems = []
        for addr, rep in reports.items():
            name = str(info.get(addr, {}).get("name") or addr)
            name = name if not name.isdigit() else addr
            named[name] = rep
            if rep["refused"]:
                problems.append(rep["refused"])
            elif rep["course_hash"] != self.course_hash:
                problems.append(
                    COURSE_DIFFERS.format(
                        name=name,
                        theirs=rep["course_hash"],
                        ours=self.course_hash,
                        source=self.source,
                    )
                )
        if problems:
            raise GradingError(WORKERS_REFUSED.format(lines="\n  ".join(problems)))
        self.reports = named
        return named

    def runner(self, *, sandbox: bool | None, out: Path) -> Runner:
        return Runner(
            task=grade_remote,
            parcel=lambda job: self.parcel(job, sandbox),
            finish=publish,
            window=self.window,
            failed=lambda job, exc: self.failed(job, exc, out),
        )

    def parcel(self, job: Job, sandbox: bool | None) -> Parcel:
        return Parcel(
            job=job,
            # a refused file (a link) is never read: its record needs only its name
            submission=b""
            if Path(job.path).resolve() != Path(job.path)
            else Path(job.path).read_bytes(),
            course_hash=self.course_hash,
            source=self.source,
            sandbox=sandbox,
            per_host=self.per_host,
        )

    def failed(self, job: Job, exc: BaseException, out: Path) -> Result | None:
        from distributed.scheduler import KilledWorker

        if isinstance(exc, WorkerRefused):
            self.refused.append(str(exc))
            return None
        if isinstance(exc, KilledWorker):
            res = failure(job, Status.ERROR, KILLED.format(error=type(exc).__name__))
            save(res, job.out)
            return res
        if isinstance(exc, cf.CancelledError) or self.client.status not in (
            "running",
            "connecting",
        ):
            raise GradingError(
                SCHEDULER_LOST.format(error=f"{type(exc).__name__} {exc}".strip(), out=out)
            ) from exc
        res = failure(job, Status.ERROR, JOB_ERROR.format(error=f"{type(exc).__name__}: {exc}"))
        save(res, job.out)
        return res

    def check_refused(self) -> None:
        if self.refused:
            reasons = "; ".join(dict.fromkeys(self.refused))
            raise GradingError(JOBS_REFUSED.format(n=len(self.refused), reasons=reasons))
