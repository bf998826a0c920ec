"""Grading on a dask cluster (autograder/cluster.py), with real processes: a ``dask scheduler``
and ``dask worker --nthreads 1`` processes on this machine, no mocks.

- the grades of a small class through the scheduler equal the local pool's, row for row, also
  when a worker is SIGKILLed while it grades (every job published exactly once, no kernel or
  fork server left behind);
- a job that kills every worker it lands on is one ``error`` row, the others are graded;
- workers with their own copy of the course, which cannot see the coordinator's folder at all,
  grade correctly: nothing but bytes travelled;
- a worker with more than one thread, or another version of the course, refuses.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from grading_helpers import FIXTURE_COURSE, grade, make_job, put, source, with_solution

from autograder.course import REPO_ROOT
from autograder.results import GradingError, read_grades

distributed = pytest.importorskip("distributed")


DASK = str(Path(sys.executable).with_name("dask"))
#: the engine's tries before a job that keeps killing workers is given up (default 3)
SCHEDULER_ENV = {
    "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1",
    # one job per worker at a time: a dying worker takes no queued innocent job with it
    "DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION": "1.0",
}
KILLS_ITS_WORKER = (
    "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\ndef double(x):\n    return 2 * x\n"
)


def _env(**extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DASK_")}
    env.update(OMP_NUM_THREADS="1", **extra)
    return env


class DaskCluster:
    """``dask scheduler`` and ``dask worker`` processes; their files under ``root``."""

    def __init__(
        self,
        root: Path,
        *,
        workers: int = 2,
        nthreads: int = 1,
        cwd=None,
        worker_env=None,
        wrap=(),
        own_cache=False,
    ):
        self.root = root
        self.file = root / "sched.json"
        self.wtmp = root / "worker-tmp"
        self.wtmp.mkdir(parents=True, exist_ok=True)
        self.procs: list[subprocess.Popen] = []
        with open(root / "scheduler.log", "ab") as log:  # the process keeps its own copy
            self.procs.append(
                subprocess.Popen(
                    [
                        DASK,
                        "scheduler",
                        "--port",
                        "0",
                        "--scheduler-file",
                        str(self.file),
                        "--dashboard-address",
                        ":0",
                        "--host",
                        "127.0.0.1",
                    ],
                    env=_env(**SCHEDULER_ENV),
                    stdout=log,
                    stderr=log,
                    start_new_session=True,
                )
            )
        deadline = time.monotonic() + 60
        while not self.file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert self.file.exists(), (root / "scheduler.log").read_text()
        env = _env(TMPDIR=str(self.wtmp), **(worker_env or {}))
        if own_cache:  # templates built from the worker's own sources, not this machine's cache
            env["CS231N_AUTOGRADER_CACHE"] = str(root / "worker-cache")
        for i in range(workers):
            with open(root / f"worker{i}.log", "ab") as wlog:
                self.procs.append(
                    subprocess.Popen(
                        [
                            *wrap,
                            DASK,
                            "worker",
                            "--scheduler-file",
                            str(self.file),
                            "--nthreads",
                            str(nthreads),
                            "--host",
                            "127.0.0.1",
                            "--name",
                            f"w{i}",
                        ],
                        env=env,
                        cwd=cwd or root,
                        stdout=wlog,
                        stderr=wlog,
                        start_new_session=True,
                    )
                )
        with self.client() as client:
            client.wait_for_workers(workers, timeout=120)

    def client(self):
        return distributed.Client(scheduler_file=str(self.file), set_as_default=False)

    def worker_pids(self) -> dict[str, int]:
        with self.client() as client:
            return client.run(os.getpid)

    def close(self) -> None:
        for proc in reversed(self.procs):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    c = DaskCluster(tmp_path_factory.mktemp("dask"))
    yield c
    c.close()


def small_class(root: Path, released: Path) -> Path:
    subs = root / "subs"
    put(subs, "full", "01_square", source())
    put(
        subs,
        "partial",
        "01_square",
        with_solution(source(), "double", "def double(x):\n    return x + 1\n"),
    )
    put(subs, "blank", "01_square", released / "01_square.ipynb")
    put(subs, "loops", "01_square", with_solution(source(), "double", "while True:\n    pass\n"))
    (subs / "broken").mkdir()
    (subs / "broken" / "01_square.ipynb").write_text('{"cells": [')
    return subs


def rows(out: Path) -> list[tuple]:
    return [
        (r["student"], r["notebook"], r["score"], r["max_score"], r["status"], r["detail"])
        for r in read_grades(out)
    ]


def descendants(pid: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    found, frontier = [], [pid]
    while frontier:
        p = frontier.pop()
        kids = [c for c, pp in parents.items() if pp == p]
        found += kids
        frontier += kids
    return found


def processes_under(folder: Path) -> list[str]:
    """Processes whose working directory is inside ``folder`` (kernels, fork servers)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cwd = os.readlink(f"/proc/{entry}/cwd")
                cmd = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if cwd.startswith(str(folder)):
                found.append(f"{entry} {cmd[:120]}")
    return found


def count_publish(monkeypatch) -> list[tuple[str, str]]:
    from autograder import cluster as cluster_mod

    published: list[tuple[str, str]] = []
    real = cluster_mod.publish

    def counting(job, graded, out=None):
        published.append((job.student, job.notebook))
        return real(job, graded, out)

    monkeypatch.setattr(cluster_mod, "publish", counting)
    return published


@pytest.mark.slow
def test_same_grades_as_local_pool_and_a_killed_worker_loses_nothing(
    cluster, tmp_path, released, monkeypatch
):
    subs = small_class(tmp_path, released)
    t0 = time.monotonic()
    local = grade(subs, tmp_path / "local")
    print(f"local pool: {time.monotonic() - t0:.0f} s")
    t0 = time.monotonic()
    published = count_publish(monkeypatch)
    pids = cluster.worker_pids()
    killed: list[int] = []

    def kill_one_while_grading():  # SIGKILL the first worker seen running a kernel
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and not killed:
            for pid in pids.values():
                # its fork server (in bubblewrap or not) and what it forked for a kernel: an
                # intermediate, the kernel's init and the kernel
                forked = [k for k in descendants(pid) if b"autograder.forkserver" in _cmdline(k)]
                if len(forked) >= 4:
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                    return
            time.sleep(0.3)

    killer = threading.Thread(target=kill_one_while_grading, daemon=True)
    killer.start()
    remote = grade(subs, tmp_path / "remote", scheduler_file=cluster.file)
    killer.join(timeout=1)
    print(f"cluster: {time.monotonic() - t0:.0f} s")
    assert killed, "no worker was seen grading"
    assert rows(tmp_path / "remote") == rows(tmp_path / "local")
    assert {k: (r.score, r.status) for k, r in remote.items()} == {
        k: (r.score, r.status) for k, r in local.items()
    }
    statuses = {k[0]: r.status for k, r in remote.items()}
    assert statuses == {
        "full": "graded",
        "partial": "graded",
        "blank": "graded",
        "loops": "timeout",
        "broken": "invalid_notebook",
    }
    assert sorted(published) == sorted(remote), "a job was published twice or not at all"
    for student in ("full", "partial"):
        assert (
            tmp_path / "remote" / "feedback" / student / "notebooks" / "01_square.html"
        ).exists()
        assert (
            tmp_path / "remote" / "autograded" / student / "notebooks" / "01_square.ipynb"
        ).exists()
    # the killed worker's fork server and kernel died with it; after the class only the live
    # workers' idle fork servers are left
    time.sleep(2)
    live = set(cluster.worker_pids().values())
    left = processes_under(cluster.wtmp)
    assert all(_ancestors(int(p.split()[0])) & live for p in left), left
    import json

    workers = json.loads((tmp_path / "remote" / "run.json").read_text())["workers"]
    assert set(workers) >= {"w0", "w1"}
    assert all(set(w) == {"sandboxed", "missing"} for w in workers.values())


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _ancestors(pid: int) -> set[int]:
    found = set()
    while pid > 1:
        try:
            pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
        found.add(pid)
    return found


@pytest.mark.slow
def test_a_job_that_kills_every_worker_is_one_error_row(cluster, tmp_path):
    subs = tmp_path / "subs"
    put(subs, "good1", "01_square", source())
    put(subs, "good2", "01_square", source())
    put(subs, "poison", "01_square", with_solution(source(), "double", KILLS_ITS_WORKER))
    res = grade(
        subs,
        tmp_path / "out",
        scheduler_file=cluster.file,
        sandbox=False,
        forkserver=False,
        unsafe_same_user=True,
    )
    assert (res[("poison", "01_square")].status, res[("poison", "01_square")].score) == ("error", 0)
    assert "ended the worker process it ran on" in res[("poison", "01_square")].detail
    for student in ("good1", "good2"):
        assert (res[(student, "01_square")].status, res[(student, "01_square")].score) == (
            "graded",
            3,
        )


def _unshare_works() -> bool:
    try:
        return (
            subprocess.run(
                ["unshare", "-m", "--propagation", "private", "true"],
                capture_output=True,
                timeout=20,
            ).returncode
            == 0
        )
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.mark.slow
# Under pytest-xdist its worker's temporary folder was so deep that a kernel's socket path
# passed the 107 bytes of a Unix socket's name (zmq: "File name too long"): scratch folders now
# stay short (autograder.job.SHORT_TMP), and it runs in parallel with the rest.
def test_workers_with_their_own_copy_share_nothing(tmp_path_factory, released):
    coord = tmp_path_factory.mktemp("coordinator")  # submissions and --out: hidden from workers
    own = tmp_path_factory.mktemp("worker-side")
    copy = own / "course"
    for part in ("autograder", "cs231n_tools"):
        shutil.copytree(REPO_ROOT / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(FIXTURE_COURSE, copy / FIXTURE_COURSE.relative_to(REPO_ROOT))
    (copy / "data").mkdir()
    wrap = ()
    hidden = _unshare_works()
    if hidden:  # a mount namespace where the coordinator's folder is an empty tmpfs
        wrap = (
            "unshare",
            "-m",
            "--propagation",
            "private",
            "sh",
            "-c",
            f'mount -t tmpfs none "{coord}" && exec "$0" "$@"',
        )
    c = DaskCluster(
        own / "dask",
        workers=1,
        cwd=copy,
        worker_env={"PYTHONPATH": str(copy)},
        wrap=wrap,
        own_cache=True,
    )
    try:
        with c.client() as client:
            seen = client.run(
                lambda: (
                    __import__("autograder").__file__,
                    os.path.exists(str(coord)) and os.listdir(str(coord)),
                )
            )
        ((module, listing),) = seen.values()
        assert module.startswith(str(copy)), module
        if hidden:
            assert listing == [], "the worker can see the coordinator's folder"
        subs = coord / "subs"
        put(subs, "full", "01_square", source())
        put(
            subs,
            "partial",
            "01_square",
            with_solution(source(), "double", "def double(x):\n    return x + 1\n"),
        )
        res = grade(subs, coord / "out", scheduler_file=c.file)
        assert {k[0]: (r.status, r.score) for k, r in res.items()} == {
            "full": ("graded", 3),
            "partial": ("graded", 2),
        }, {k[0]: r.detail for k, r in res.items()}
        assert (coord / "out" / "feedback" / "full" / "notebooks" / "01_square.html").exists()
        # the worker graded against a template it built from its own copy
        assert list((own / "dask" / "worker-cache" / "templates").iterdir())
    finally:
        c.close()


def test_worker_with_threads_or_another_course_refuses(tmp_path):
    from autograder import cluster as cluster_mod
    from autograder.plan import prepare_template

    source_rel = cluster_mod.source_for_workers(FIXTURE_COURSE)
    assert source_rel == "tests/autograder/fixtures/course"
    state = cluster_mod.prepare_worker("w9", 2, source_rel, 1)
    assert "runs 2 threads" in state["refused"] and "--nthreads 1" in state["refused"]
    state = cluster_mod.prepare_worker("w9", 1, source_rel, 1)
    assert state["refused"] is None and state["course_hash"]
    # another version of the course: the worker refuses the job instead of grading it
    _, digest, _ = prepare_template(None, FIXTURE_COURSE)
    assert cluster_mod.course_hash(digest) == state["course_hash"]
    job = make_job(path=str(tmp_path / "01_square.ipynb"), out=str(tmp_path))
    parcel = cluster_mod.Parcel(job, b"{}", "0" * 16, source_rel, False, {})
    import autograder.cluster

    real = autograder.cluster._this_worker
    autograder.cluster._this_worker = lambda: ("w9", 1, "127.0.0.1")
    try:
        with pytest.raises(cluster_mod.WorkerRefused, match="another version of the course"):
            cluster_mod.grade_remote(parcel)
    finally:
        autograder.cluster._this_worker = real


def test_scheduler_unreachable_is_a_clear_error(tmp_path):
    # no scheduler at all answers at this address
    subs = tmp_path / "subs"
    put(subs, "full", "01_square", source())
    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        with pytest.raises(GradingError, match="could not reach the dask scheduler"):
            grade(subs, tmp_path / "out", scheduler="tcp://127.0.0.1:1")
