"""The Slurm example (examples/grade_on_slurm.py): there is no Slurm here, so the test builds its
SLURMCluster and checks the job script it would submit."""

from __future__ import annotations

import importlib.util
import re

import pytest

from autograder.course import REPO_ROOT

pytest.importorskip("dask_jobqueue")

SCRIPT = REPO_ROOT / "examples" / "grade_on_slurm.py"


def load_example():
    spec = importlib.util.spec_from_file_location("grade_on_slurm", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_job_script_starts_single_threaded_grading_workers():
    example = load_example()
    with example.make_cluster(
        queue="short",
        account="cs231n",
        workers_per_job=4,
        cores_per_worker=2,
        memory_per_worker_gb=6,
        walltime="01:30:00",
        extra_directives=("--constraint=avx2",),
    ) as cluster:
        script = cluster.job_script()
        assert cluster.workers == {}, "building the cluster must not submit jobs"
    assert "#SBATCH -p short" in script and "#SBATCH -A cs231n" in script
    assert "#SBATCH -t 01:30:00" in script and "#SBATCH --constraint=avx2" in script
    assert "#SBATCH --cpus-per-task=8" in script  # 4 workers x 2 cores for their kernels
    assert re.search(r"#SBATCH --mem=2[2-4]G", script)  # 4 x 6 GB
    (worker,) = [line for line in script.splitlines() if "dask_worker" in line]
    assert worker.startswith(str(REPO_ROOT / ".venv" / "bin" / "python"))
    assert "--nthreads 1" in worker and "--nworkers 4" in worker
    assert f"cd {REPO_ROOT}" in script and "export OMP_NUM_THREADS=1" in script


def test_print_job_script_submits_nothing(capsys):
    assert load_example().main(["subs", "--out", "o", "--print-job-script"]) == 0
    assert "--nthreads 1" in capsys.readouterr().out
