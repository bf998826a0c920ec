"""Running jobs: any ``concurrent.futures.Executor``, by default a local pool of processes.

:func:`run_jobs` keeps as many jobs in flight as there are workers, shows a progress bar, and on
Ctrl-C stops a local pool at once (a cluster's futures are cancelled); every finished result is
kept. When a local worker process dies (``BrokenProcessPool``) only the jobs that were in flight
are suspects: each runs again *alone*, in a pool of its own, and only a job that crashes its
worker there is recorded as ``error``; the innocent ones are graded normally. Nothing here knows
how a job grades: :class:`Runner` says what is submitted and what the coordinator does with its
value (the local pool's jobs publish their own results; a cluster's come back as bytes, see
:mod:`autograder.cluster`).
"""

from __future__ import annotations

import concurrent.futures as cf
import concurrent.futures.process  # noqa: F401 - cf.process.BrokenProcessPool, any executor
import gc
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from .job import discard_scratch, grade_job, warm_worker, worker_started
from .plan import Job
from .results import JOB_ERROR, Result, Status, failure, save

CRASHED_ALONE = "the worker process grading it crashed, also when it ran alone"
STUCK_ALONE = (
    "its worker process was stopped after {seconds:g} s without a result, also when it ran alone"
)
#: seconds a local job may take beyond its --timeout (kernel start, feedback) before its
#: worker is stopped: a job whose worker hangs outside the notebook's own limits costs only itself
DEADLINE_MARGIN = 120.0


def default_workers() -> int:
    return os.cpu_count() or 1


def make_executor(workers: int, first: Job | None = None) -> cf.Executor:
    """The local pool: one process per worker, forked so that nbgrader is imported once.
    With ``first`` (the run's first job), each worker starts its fork server and a kernel for
    jobs like it before taking one (:func:`autograder.spare.prestart`)."""
    import multiprocessing as mp

    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
    return cf.ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=_worker_init, initargs=(first,)
    )


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
    from .feedback import warm

    try:
        warm()
    except Exception:  # noqa: BLE001 - each job then makes it, as before
        pass


def _worker_init(first: Job | None = None) -> None:
    # Ctrl-C is the parent's to handle: it stops the pool (see run_jobs), workers do not
    # finish half a job on their own.
    import signal

    from . import spare

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    t0 = time.monotonic()
    if first is not None:
        warm_worker(first)
        try:
            spare.prestart(first)
        except Exception:  # noqa: BLE001 - the first job then starts its own kernel
            pass
    # What the worker has now (the parent's imports, nbconvert's templates, the memos) lives as
    # long as the worker: the garbage collector no longer goes through it. A full collection
    # went through all of it, 0.12-0.14 s at random points of the jobs.
    gc.freeze()
    worker_started(time.monotonic() - t0)
    # the parent's event loop, spare kernel, fork server and folders are forgotten at the fork
    # (autograder.job, autograder.spare, autograder.forkserver: os.register_at_fork)


def _stop_workers(ex: cf.Executor) -> None:
    """End a local pool's worker processes now (their kernels die with them)."""
    for proc in list((getattr(ex, "_processes", None) or {}).values()):
        try:
            proc.terminate()
        except Exception:  # noqa: BLE001 - already gone
            pass


def _itself(job: Job) -> Job:
    return job


def _its_value(job: Job, value: Result) -> Result:
    return value


@dataclass
class Runner:
    """How jobs run on an executor: ``task(parcel(job))`` is what is submitted (both must be
    picklable), ``finish(job, value)`` turns its value into the job's :class:`Result` in the
    coordinator, ``window()`` is how many jobs to keep in flight, ``failed(job, exc)`` records
    a job whose future raised (returns None to leave the job ungraded, for a rerun)."""

    task: Callable = grade_job
    parcel: Callable = _itself
    finish: Callable = _its_value
    window: Callable[[], int] | None = None
    failed: Callable | None = None


class PoolBroken(Exception):
    """A local worker process died while these jobs were in flight."""


def run_jobs(
    jobs: list[Job],
    *,
    workers: int,
    executor: cf.Executor | None = None,
    progress: bool = True,
    runner: Runner | None = None,
) -> None:
    """Run every job on ``executor`` (default: local pools of ``workers`` processes)."""
    from tqdm import tqdm

    if not jobs:
        return
    runner = runner or Runner()
    tqdm.monitor_interval = 0
    bar = tqdm(total=len(jobs), unit="nb", desc="grading", disable=not progress, dynamic_ncols=True)

    def done(job: Job, res: Result) -> None:
        bar.set_postfix_str(f"{job.student}/{job.notebook}: {res.status}", refresh=False)
        bar.update()

    pending = list(jobs)
    try:
        while pending:
            own = executor is None
            ex = executor if executor is not None else make_executor(workers, pending[0])
            try:
                pending = _run_window(ex, pending, runner, workers, done, local=own)
            except KeyboardInterrupt:
                if own:
                    _stop_workers(ex)
                raise
            except PoolBroken as broken:
                # the in-flight jobs are suspects: each runs alone, so only the one that
                # crashes its worker is charged; the rest of the class continues afterwards
                if own:
                    _stop_workers(ex)
                else:  # a pool we were given is unusable now: go on with pools of our own
                    executor = None
                for job in broken.args[0]:
                    discard_scratch(job)  # what the dead worker left: solutions, kernel files
                    _run_alone(job, runner, done)
                pending = broken.args[1]
            finally:
                if own:
                    ex.shutdown(wait=False, cancel_futures=True)
    finally:
        bar.close()


def job_deadline(job: Job) -> float:
    """Seconds after which a local job is stuck, whatever it does: its notebook's own limit
    (``--timeout``, enforced inside the job) plus a margin for kernel start and feedback."""
    return float(job.timeout) + DEADLINE_MARGIN


def _run_window(ex, pending, runner, workers, done, local: bool = False) -> list:
    """Keep ``runner.window()`` jobs in flight until all are done; raises :class:`PoolBroken`
    with (the jobs in flight, the jobs not yet submitted) when a local worker died. In a local
    pool (``local``) a job past :func:`job_deadline` has its workers stopped, which makes it
    (and the others in flight) suspects, each graded again alone."""
    queue = list(pending)
    flying: dict[cf.Future, Job] = {}
    started: dict[cf.Future, float] = {}
    try:
        while queue or flying:
            limit = max(1, runner.window() if runner.window else workers)
            while queue and len(flying) < limit:
                job = queue.pop(0)
                fut = ex.submit(runner.task, runner.parcel(job))
                flying[fut], started[fut] = job, time.monotonic()
            finished, _ = cf.wait(
                flying, return_when=cf.FIRST_COMPLETED, timeout=5 if local else None
            )
            if local and not finished:
                now = time.monotonic()
                if any(now - started[f] > job_deadline(j) for f, j in flying.items()):
                    _stop_workers(ex)  # their futures now fail with BrokenProcessPool
                continue
            for fut in sorted(finished, key=_broken):  # results that came back go first
                job = flying.pop(fut)
                try:
                    value = fut.result()
                except cf.process.BrokenProcessPool:
                    for other in [f for f in flying if not _broken(f) and f.done()]:
                        done(flying[other], runner.finish(flying.pop(other), other.result()))
                    raise PoolBroken([job, *flying.values()], queue) from None
                except Exception as exc:  # noqa: BLE001 - e.g. a remote executor's failure
                    res = (runner.failed or _record_crash)(job, exc)
                    if res is not None:
                        done(job, res)
                    continue
                done(job, runner.finish(job, value))
    except BaseException:
        for fut in flying:
            fut.cancel()
        raise
    return []


def _broken(fut: cf.Future) -> bool:
    return (
        fut.done()
        and not fut.cancelled()
        and isinstance(fut.exception(), cf.process.BrokenProcessPool)
    )


def _run_alone(job: Job, runner: Runner, done) -> None:
    ex = make_executor(1)
    try:
        value = ex.submit(runner.task, runner.parcel(job)).result(timeout=job_deadline(job))
    except cf.TimeoutError:
        _stop_workers(ex)
        discard_scratch(job)
        done(job, _record_crash(job, STUCK_ALONE.format(seconds=job_deadline(job))))
        return
    except cf.process.BrokenProcessPool:
        discard_scratch(job)
        done(job, _record_crash(job, CRASHED_ALONE))
        return
    except KeyboardInterrupt:
        _stop_workers(ex)
        raise
    finally:
        ex.shutdown(wait=False, cancel_futures=True)
    done(job, runner.finish(job, value))


def _record_crash(job: Job, why) -> Result:
    if isinstance(why, BaseException):
        why = f"{type(why).__name__}: {why}"
    res = failure(job, Status.ERROR, JOB_ERROR.format(error=why))
    save(res, job.out)
    return res
