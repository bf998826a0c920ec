"""Grade a class on a Slurm cluster: dask-jobqueue submits the dask workers as Slurm jobs, the
course autograder sends them the jobs.

    .venv/bin/python examples/grade_on_slurm.py SUBMISSIONS --out grading \\
        --jobs 8 --workers-per-job 4 --queue normal --account my-course --walltime 02:00:00 \\
        --timeout 300                  # any other option is passed on to autograde

Run it on a login node of the cluster, from a clone of the course installed as in the README
(``make install``) on a file system the compute nodes can read: each Slurm job starts
``--workers-per-job`` dask workers (``--nthreads 1`` each, as grading needs) from that
installation. Submissions and results never leave this machine: jobs travel to the workers as
bytes over dask's connection. Keep the scheduler on the cluster's private network (or configure
TLS in dask's ``distributed.comm.tls`` settings): a dask scheduler runs the code it is sent.
Print the Slurm script without submitting anything with ``--print-job-script``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def make_cluster(
    *,
    queue: str | None = None,
    account: str | None = None,
    workers_per_job: int = 4,
    cores_per_worker: int = 1,
    memory_per_worker_gb: int = 8,
    walltime: str = "02:00:00",
    venv: Path = REPO / ".venv",
    local_directory: str = "$TMPDIR",
    extra_directives: tuple[str, ...] = (),
):
    """A ``dask_jobqueue.SLURMCluster`` whose every Slurm job runs ``workers_per_job`` grading
    workers with one dask thread each, and ``cores_per_worker`` cores each for their kernels."""
    from dask_jobqueue import SLURMCluster

    return SLURMCluster(
        queue=queue,
        account=account,
        # dask-jobqueue gives each worker cores // processes threads: 1, as grading requires
        cores=workers_per_job,
        processes=workers_per_job,
        # ...but Slurm reserves every core the kernels may use (their OMP_NUM_THREADS)
        job_cpu=workers_per_job * cores_per_worker,
        memory=f"{workers_per_job * memory_per_worker_gb}GB",
        walltime=walltime,
        python=str(Path(venv) / "bin" / "python"),
        job_script_prologue=[f"cd {REPO}", "export OMP_NUM_THREADS=1"],
        job_extra_directives=list(extra_directives),
        local_directory=local_directory,
        scheduler_options={"dashboard_address": ":0"},
    )


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("submissions", type=Path)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--jobs", type=int, default=4, help="Slurm jobs to start (default 4)")
    p.add_argument("--workers-per-job", type=int, default=4)
    p.add_argument("--cores-per-worker", type=int, default=1)
    p.add_argument("--memory-per-worker-gb", type=int, default=8)
    p.add_argument("--queue", default=None, help="Slurm partition")
    p.add_argument("--account", default=None)
    p.add_argument("--walltime", default="02:00:00")
    p.add_argument("--wait", type=float, default=1800, help="seconds to wait for a first worker")
    p.add_argument("--print-job-script", action="store_true", help="print it, submit nothing")
    # any other option is autograde's (--timeout, --device, --force, ...)
    args, extra = p.parse_known_args(argv)

    cluster = make_cluster(
        queue=args.queue,
        account=args.account,
        workers_per_job=args.workers_per_job,
        cores_per_worker=args.cores_per_worker,
        memory_per_worker_gb=args.memory_per_worker_gb,
        walltime=args.walltime,
    )
    with cluster:
        if args.print_job_script:
            print(cluster.job_script())
            return 0
        from distributed import Client

        from autograder import cli

        cluster.scale(jobs=args.jobs)
        with Client(cluster) as client:  # Slurm's queue may take a while
            client.wait_for_workers(1, timeout=args.wait)
        return cli.main(
            [
                "autograde",
                str(args.submissions),
                "--out",
                str(args.out),
                "--scheduler",
                cluster.scheduler_address,
                *extra,
            ]
        )


if __name__ == "__main__":
    sys.exit(main())
