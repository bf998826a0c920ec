"""How fast the course autograder grades a class, against stock ``nbgrader autograde``.

    .venv/bin/python benchmarks/grading.py                      # 12 students x every notebook
    .venv/bin/python benchmarks/grading.py --students 4 --notebooks 01_tensors 02_autograd

Builds a class (students cycle through full, partial and empty answers: the source notebook,
half of its exercises reset to the released stub, the released notebook), then grades it, in
one run, with ``autograde --workers 1``, ``autograde --workers 2`` (kernels forked from a
process with torch imported, the default), ``autograde --workers 2 --no-forkserver`` (every
kernel a new Python, as before the fork server) and stock nbgrader
(``nbgrader autograde notebooks`` for every student, through nbgrader's API, in one process).
Prints seconds per notebook, the ratios, and the autograder's overhead per notebook (kernel
start with its imports, nbgrader bookkeeping, feedback) apart from the notebooks' own compute
(time spent executing cells). Timings on a shared machine are noisy: rerun before trusting one.

``--scheduler`` adds, in the same run, the class graded on a dask cluster on this machine
(``dask scheduler`` and 2 ``dask worker --nthreads 1``; goal: within 5% of the local pool's
2 workers), and the engine's own cost: per-job dispatch overhead (no-op jobs through
:func:`autograder.pool.run_jobs` and ``Client.get_executor``) and the scaling of 2, 4, 8 and 16
workers on jobs that only sleep (goal: >= 90% of linear)::

    .venv/bin/python benchmarks/grading.py --students 3 --notebooks 01_tensors --scheduler
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder.course import NOTEBOOKS, SOURCE_NOTEBOOKS, Course  # noqa: E402
from autograder.grade import autograde  # noqa: E402

KINDS = ("full", "partial", "empty")
NO_FORK = "  same, --no-forkserver"


def build_class(root: Path, source_dir: Path, names: list[str], students: int) -> tuple[Path, Path]:
    import nbformat

    course = Course.create(root / "release-course", names, source_dir=source_dir)
    release = course.generate_release()
    subs = root / "submissions"
    for i in range(students):
        kind = KINDS[i % len(KINDS)]
        for name in names:
            src = nbformat.read(source_dir / f"{name}.ipynb", as_version=4)
            rel = nbformat.read(release / f"{name}.ipynb", as_version=4)
            if kind == "empty":
                nb = rel
            else:
                nb = copy.deepcopy(src)
                if kind == "partial":
                    stubs = {
                        c.metadata["nbgrader"]["grade_id"]: c.source
                        for c in rel.cells
                        if c.metadata.get("nbgrader", {}).get("solution")
                    }
                    sols = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
                    for c in sols[::2]:
                        c.source = stubs[c.metadata["nbgrader"]["grade_id"]]
            dest = subs / f"student{i:02d}" / f"{name}.ipynb"
            dest.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, dest)
    return subs, release


def run_ours(
    subs: Path,
    out: Path,
    source_dir: Path,
    workers: int,
    timeout: float,
    forkserver: bool = True,
    **kw,
) -> dict:
    t0 = time.perf_counter()
    results = autograde(
        subs,
        out,
        workers=workers,
        forkserver=forkserver,
        source_dir=source_dir,
        timeout=timeout,
        force=True,
        progress=False,
        **kw,
    )
    wall = time.perf_counter() - t0
    ok = [r for r in results if r.cells_s is not None]
    return {
        "wall_s": wall,
        "n": len(results),
        "statuses": {
            str(s): sum(r.status == s for r in results) for s in {r.status for r in results}
        },
        "job_s": statistics.mean(r.wall_s for r in ok) if ok else float("nan"),
        "cells_s": statistics.mean(r.cells_s for r in ok) if ok else float("nan"),
        "kernel_start_s": statistics.mean(r.kernel_start_s for r in ok) if ok else float("nan"),
        "phases": {
            k: statistics.mean(r.phases.get(k, 0.0) for r in ok)
            for k in ("prepare", "autograde", "feedback")
        }
        if ok
        else {},
        "scores": {(r.student, r.notebook): r.score for r in results},
    }


def run_stock(subs: Path, root: Path, source_dir: Path, names: list[str]) -> dict:
    course = Course.create(root / "stock-course", names, source_dir=source_dir)
    course.generate_release()
    students = sorted(p.name for p in subs.iterdir())
    for s in students:
        course.submit(s, {n: subs / s / f"{n}.ipynb" for n in names})
    t0 = time.perf_counter()
    scores = {}
    for s in students:  # what `nbgrader autograde notebooks` does: one student after another
        for name, g in course.autograde(s).items():
            scores[(s, name)] = g.score
    n = len(students) * len(names)
    return {"wall_s": time.perf_counter() - t0, "n": n, "scores": scores}


# -- the dask engine --------------------------------------------------------------------------
DASK = str(Path(sys.executable).with_name("dask"))
DASK_RUN = "autograde on dask, 2 workers"


def start_dask(root: Path, workers: int) -> tuple[list[subprocess.Popen], Path]:
    """``dask scheduler`` and ``workers`` x ``dask worker --nthreads 1`` on this machine."""
    root.mkdir(parents=True, exist_ok=True)
    sched = root / "sched.json"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    log = open(root / "dask.log", "ab")  # noqa: SIM115 - closed below, the processes keep a copy
    procs = [
        subprocess.Popen(
            [
                DASK,
                "scheduler",
                "--port",
                "0",
                "--scheduler-file",
                str(sched),
                "--dashboard-address",
                ":0",
                "--host",
                "127.0.0.1",
            ],
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    ]
    while not sched.exists():
        time.sleep(0.2)
    procs += [
        subprocess.Popen(
            [
                DASK,
                "worker",
                "--scheduler-file",
                str(sched),
                "--nthreads",
                "1",
                "--host",
                "127.0.0.1",
            ],
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
            cwd=root,
        )
        for _ in range(workers)
    ]
    log.close()
    from distributed import Client

    with Client(scheduler_file=str(sched)) as client:
        client.wait_for_workers(workers, timeout=300)
    return procs, sched


def stop_dask(procs: list[subprocess.Popen]) -> None:
    for proc in reversed(procs):
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for proc in procs:
        proc.wait()


@dataclass(frozen=True)
class SleepJob:
    student: str
    notebook: str
    seconds: float


def sleep_job(job: SleepJob) -> float:
    time.sleep(job.seconds)
    return job.seconds


def engine_figures(dispatch_jobs: int, sleep_s: float, sizes: list[int]) -> dict:
    """The engine alone: no-op jobs (dispatch overhead per job) and sleep-only jobs on 2..16
    in-process workers (threads, one per worker: the scheduler's work is the same)."""
    from distributed import Client, LocalCluster

    from autograder.pool import Runner, run_jobs

    figures: dict = {"scaling": {}}
    for n in sizes:
        with (
            LocalCluster(
                n_workers=n, threads_per_worker=1, processes=False, dashboard_address=None
            ) as cluster,
            Client(cluster) as client,
        ):
            ex = client.get_executor(pure=False)
            runner = Runner(task=sleep_job, finish=lambda job, v: _Done(), window=lambda n=n: 2 * n)
            if n == sizes[0]:
                noop = [SleepJob(f"s{i}", "noop", 0.0) for i in range(dispatch_jobs)]
                t0 = time.perf_counter()
                run_jobs(noop, workers=n, executor=ex, progress=False, runner=runner)
                figures["dispatch_ms"] = 1000 * (time.perf_counter() - t0) / dispatch_jobs
            jobs = [SleepJob(f"s{i}", "sleep", sleep_s) for i in range(4 * n)]
            t0 = time.perf_counter()
            run_jobs(jobs, workers=n, executor=ex, progress=False, runner=runner)
            wall = time.perf_counter() - t0
            figures["scaling"][n] = {"wall_s": wall, "efficiency": 4 * sleep_s / wall}
    return figures


class _Done:
    status = "done"


def _print_engine(engine: dict, args) -> None:
    print(
        f"engine: dispatch overhead {engine['dispatch_ms']:.1f} ms per job "
        f"({args.dispatch_jobs} no-op jobs, {args.sizes[0]} workers)"
    )
    for n, fig in engine["scaling"].items():
        print(
            f"  {n:3d} workers, {4 * n} jobs of {args.sleep:g} s sleep: {fig['wall_s']:.2f} s, "
            f"{100 * fig['efficiency']:.0f}% of linear (goal >= 90%)"
        )


def _fmt(phases: dict) -> str:
    return ", ".join(f"{k} {v:.2f}" for k, v in phases.items())


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--students", type=int, default=12)
    p.add_argument(
        "--notebooks", nargs="*", default=None, help="default: every course notebook that exists"
    )
    p.add_argument("--source", type=Path, default=SOURCE_NOTEBOOKS)
    p.add_argument("--timeout", type=float, default=600)
    p.add_argument("--json", type=Path, default=None, help="also write the figures here")
    p.add_argument(
        "--scheduler",
        action="store_true",
        help="also grade on a dask cluster of 2 workers here, and measure the engine's cost",
    )
    p.add_argument("--dispatch-jobs", type=int, default=200, help="no-op jobs (with --scheduler)")
    p.add_argument("--sleep", type=float, default=2.0, help="seconds per sleep-only job")
    p.add_argument("--sizes", type=int, nargs="*", default=[2, 4, 8, 16], help="workers to scale")
    p.add_argument(
        "--engine-only", action="store_true", help="with --scheduler: only the engine's figures"
    )
    args = p.parse_args(argv)
    if args.engine_only:
        engine = engine_figures(args.dispatch_jobs, args.sleep, args.sizes)
        _print_engine(engine, args)
        return 0

    names = (
        args.notebooks
        or [n for n in NOTEBOOKS if (args.source / f"{n}.ipynb").exists()]
        or sorted(q.stem for q in args.source.glob("*.ipynb"))
    )
    with tempfile.TemporaryDirectory(prefix="cs231n-bench-") as tmp:
        root = Path(tmp)
        subs, _ = build_class(root, args.source, names, args.students)
        print(
            f"class: {args.students} students x {len(names)} notebooks ({', '.join(names)}), kinds {KINDS}"
        )
        runs = {}
        runs["autograde --workers 1"] = run_ours(subs, root / "out1", args.source, 1, args.timeout)
        runs["autograde --workers 2"] = run_ours(subs, root / "out2", args.source, 2, args.timeout)
        runs[NO_FORK] = run_ours(
            subs, root / "out3", args.source, 2, args.timeout, forkserver=False
        )
        runs["stock nbgrader autograde"] = run_stock(subs, root, args.source, names)
        if args.scheduler:
            procs, sched = start_dask(root / "dask", 2)
            try:
                runs[DASK_RUN] = run_ours(
                    subs, root / "out-dask", args.source, 2, args.timeout, scheduler_file=sched
                )
            finally:
                stop_dask(procs)
            engine = engine_figures(args.dispatch_jobs, args.sleep, args.sizes)

    stock = runs["stock nbgrader autograde"]
    print(
        f"\n{'run':28} {'notebooks':>9} {'total s':>9} {'s/notebook':>11} {'speed-up vs stock':>18}"
    )
    for label, r in runs.items():
        per = r["wall_s"] / r["n"]
        print(
            f"{label:28} {r['n']:9d} {r['wall_s']:9.1f} {per:11.2f} {stock['wall_s'] / r['wall_s']:17.2f}x"
        )
    print("\nper notebook, inside one autograder job (mean seconds):")
    for label in ("autograde --workers 1", "autograde --workers 2", NO_FORK, DASK_RUN):
        if label not in runs:
            continue
        r = runs[label]
        print(
            f"  {label}: job {r['job_s']:.2f} = notebook compute (cells) {r['cells_s']:.2f} "
            f"+ overhead {r['job_s'] - r['cells_s']:.2f} (of which kernel start incl. imports "
            f"{r['kernel_start_s']:.2f}); phases {_fmt(r['phases'])}; statuses {r['statuses']}"
        )
    same = all(
        runs["autograde --workers 2"]["scores"].get(k) == v for k, v in stock["scores"].items()
    )
    print(f"\nscores equal to stock nbgrader's: {same}")
    if args.scheduler:
        local, dask_run = runs["autograde --workers 2"], runs[DASK_RUN]
        same = dask_run["scores"] == local["scores"]
        ratio = dask_run["wall_s"] / local["wall_s"]
        print(
            f"\ndask, 2 workers: {dask_run['wall_s'] / dask_run['n']:.2f} s/notebook, "
            f"{ratio:.2f}x the local pool's time (goal <= 1.05); scores equal: {same}"
        )
        print(
            f"engine: dispatch overhead {engine['dispatch_ms']:.1f} ms per job "
            f"({args.dispatch_jobs} no-op jobs, {args.sizes[0]} workers)"
        )
        for n, fig in engine["scaling"].items():
            print(
                f"  {n:3d} workers, {4 * n} jobs of {args.sleep:g} s sleep: {fig['wall_s']:.2f} s, "
                f"{100 * fig['efficiency']:.0f}% of linear (goal >= 90%)"
            )
        runs["engine"] = {**engine, "scores": {}}
    if args.json:
        args.json.write_text(
            json.dumps(
                {k: {kk: vv for kk, vv in v.items() if kk != "scores"} for k, v in runs.items()},
                indent=1,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
