"""Running jobs: any ``concurrent.futures.Executor``, by default a local pool of processes.

:func:`run_jobs` submits :func:`autograder.job.grade_job` for every job, shows a progress bar,
retries a job once when its worker process crashed (then records it as ``error``), and on Ctrl-C
stops a local pool at once. Nothing here knows how a job grades: a distributed executor can
replace :func:`make_executor`'s pool without touching the grading code.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import os
from dataclasses import asdict
from pathlib import Path

from .job import JOB_ERROR, grade_job
from .plan import Job, Result, file_hash, template_scores, write_atomic


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
    _forget_parent_event_loop()


def _forget_parent_event_loop() -> None:
    """A forked worker must not reuse an asyncio loop its parent made (jupyter_core keeps one
    per thread once a kernel has run): its epoll instance is shared with the parent and every
    other worker, which then wake for one another's sockets and spin."""
    import asyncio

    try:
        from jupyter_core.utils import _loop
    except ImportError:
        pass
    else:
        _loop.set(None)
    asyncio.set_event_loop(None)


def _stop_workers(ex: cf.Executor) -> None:
    """End a local pool's worker processes now (their kernels die with them)."""
    for proc in list((getattr(ex, "_processes", None) or {}).values()):
        try:
            proc.terminate()
        except Exception:  # noqa: BLE001 - already gone
            pass


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
