"""The next job's kernel, started while the current job runs.

Why: a job waited for its kernel before its first cell: 0.2 s when forked from the fork server
(the fork, IPython's set-up, the tamper guard), 2 s with ``--no-forkserver``. Now, once a job's
own kernel is running, its worker starts one more kernel, the *spare*, exactly as the next job
would (same sandbox, limits, user id and environment; see :func:`start_pending`), in folders of
its own (work, home, sockets). The worker's next job takes it (:func:`take`) when its settings
are the same; otherwise the spare is shut down and the job starts its own kernel, as before.

What a spare is: a freshly started kernel that has run nothing, with its disk quota watched from
its start. The student whose job takes it gets a kernel no other submission has touched: its
folders are new and empty but for what the job puts there (the submission's working copy, the
compile cache), and kernels cannot reach each other (each has its own PID namespace and /tmp).
A worker holds at most one spare; the last one of a run is stopped with its worker (fork server,
or the kernel's death with its parent).
"""

from __future__ import annotations

import copy
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .plan import Job


@dataclass
class Spare:
    key: tuple
    kdir: Path  # holds work/, home/ and kernel/, as a job's kernel folder
    km: object  # the started SandboxKernelManager
    uid: int | None  # the user id it runs as (its job's)


_SPARE: Spare | None = None
#: the kernel a job took, by its socket folder, until its SandboxedExecute adopts it
_TAKEN: dict[str, object] = {}
#: what the running job asked for: (key, job, config, gpu, uid), started by start_pending()
_PENDING: tuple | None = None


def key_of(job: Job) -> tuple:
    """The settings a kernel is started with that do not depend on the job's own folders."""
    return (
        job.sandbox,
        job.forkserver,
        job.device,
        job.threads,
        job.limits,
        job.scratch_root,
        os.environ.get("PYTHONPATH", ""),
    )


def take(job: Job) -> Spare | None:
    """This worker's spare kernel for ``job`` when it was started with ``job``'s settings and
    is alive (its manager then waits in :func:`adopt` for the job's SandboxedExecute);
    otherwise None, and a spare that does not fit is shut down."""
    global _SPARE
    finish_starting()
    spare, _SPARE = _SPARE, None
    if spare is None:
        return None
    alive = False
    try:
        alive = spare.key == key_of(job) and spare.km.provisioner.process.poll() is None
    except Exception:  # noqa: BLE001 - no process: not usable
        alive = False
    if not alive:
        _shutdown(spare.km)
        return None
    _TAKEN[spare.km.runtime_dir] = spare.km
    return spare


def adopt(runtime_dir: str):
    """The started kernel manager a job took for this socket folder, if any (once)."""
    return _TAKEN.pop(runtime_dir, None)


def release(runtime_dir: str) -> None:
    """Shut down a taken kernel its job never adopted (the job failed before running)."""
    km = _TAKEN.pop(runtime_dir, None)
    if km is not None:
        _shutdown(km)


def ask(job: Job, config, gpu: bool, uid: int | None) -> None:
    """Ask for a spare for the worker's next job, to be started by :func:`start_pending` once
    ``job``'s own kernel runs (so that the two do not start at the same time)."""
    global _PENDING
    _PENDING = (key_of(job), job, config, gpu, uid) if job.warm_into == "" else None


async def start_pending() -> None:
    """Start the spare asked for by :func:`ask` (nothing if none was, or one is waiting).
    A spare that cannot start is not an error: the next job starts its own kernel.

    It runs in nbclient's event loop, as a task that SandboxedExecute makes once its first cell
    is sent (:func:`start_soon`), so that the spare starts while that cell runs, not before it;
    its kernel manager is made in that loop, the one the next job uses it from."""
    global _PENDING, _SPARE
    pending, _PENDING = _PENDING, None
    if pending is None or _SPARE is not None:
        return
    key, job, config, gpu, uid = pending
    try:
        _SPARE = await _start(key, job, config, gpu, None if uid is None else _fresh_uid())
    except Exception:  # noqa: BLE001
        _SPARE = None


_STARTING = None  # the asyncio task of start_pending, while it runs


def start_soon() -> None:
    """Start the pending spare as a task of the running event loop (see
    :func:`start_pending`); :func:`finish_starting` waits for it."""
    import asyncio

    global _STARTING
    if _PENDING is not None and _STARTING is None:
        _STARTING = asyncio.ensure_future(start_pending())


def finish_starting() -> None:
    """Wait until a spare being started by :func:`start_soon` has started (or failed to)."""
    global _STARTING
    task, _STARTING = _STARTING, None
    if task is None or task.done():
        return
    from jupyter_core.utils import ensure_event_loop

    ensure_event_loop().run_until_complete(task)


def _fresh_uid() -> int:
    from .sandbox import sandbox_uid

    return sandbox_uid()  # not the running kernel's (see sandbox_uid)


async def _start(key, job: Job, config, gpu: bool, uid: int | None) -> Spare:
    from .job import _kernel_env, _scratch_root, forkserver_root
    from .kernel_manager import SandboxKernelManager

    base = forkserver_root(_scratch_root(job)) if job.forkserver else Path(_scratch_root(job))
    kdir = Path(tempfile.mkdtemp(prefix="spare-", dir=base))
    work, home, runtime = kdir / "work", kdir / "home", kdir / "kernel"
    for d in (work, home, runtime, home / "tmp"):
        d.mkdir(parents=True)
    if uid is not None:
        os.chmod(kdir, 0o711)
        for d in (work, home, runtime, home / "tmp"):
            os.chown(d, uid, uid)
    c = copy.deepcopy(config)
    c.SandboxKernelManager.runtime_dir = str(runtime)
    c.SandboxKernelManager.workdir = str(work)
    c.SandboxKernelManager.writable = [str(work), str(home)]
    c.SandboxKernelManager.kernel_env = _kernel_env(job, home, gpu)
    c.SandboxKernelManager.uid = uid
    km = SandboxKernelManager(config=c)
    try:
        await km.start_kernel(cwd=str(work))
    except Exception:
        await _ashutdown(km)
        raise
    return Spare(key, kdir, km, uid)


def _shutdown(km) -> None:
    from jupyter_core.utils import run_sync

    run_sync(_ashutdown)(km)


async def _ashutdown(km) -> None:
    try:
        await km.shutdown_kernel(now=True)
    except Exception:  # noqa: BLE001 - already gone
        pass
    try:
        await km.cleanup_resources()
    except Exception:  # noqa: BLE001
        pass


def release_taken() -> None:
    """Shut down every kernel taken by a job that ended without adopting it."""
    for runtime in list(_TAKEN):
        release(runtime)


def prestart(job: Job) -> None:
    """Start this worker's first kernel, and with it its fork server, before the worker takes
    its first job: a spare for jobs with ``job``'s settings (:func:`key_of`), started by the
    pool's worker initializer (:func:`autograder.pool.make_executor`). Without it the first
    job of each worker waited 2-5 s for the fork server to import torch; now the worker does
    that before it takes a job (its first record's ``worker_start_s``). Nothing happens for a job that is not graded, or one
    that builds a compile cache; a kernel that cannot start is not an error. It returns once the
    kernel answers."""
    global _PENDING
    from jupyter_core.utils import run_sync
    from traitlets.config import Config

    from .job import kernel_settings, uses_gpu
    from .sandbox import kernel_user_id, sandbox_uid

    if job.invalid or job.warm_into or _SPARE is not None:
        return
    gpu = uses_gpu(job)
    c = Config()
    kernel_settings(c, job, gpu)
    uid = sandbox_uid() if kernel_user_id(sandboxed=job.sandbox) else None
    _PENDING = (key_of(job), job, c, gpu, uid)
    run_sync(start_pending)()
    if _SPARE is not None:
        # and until it answers: a forked kernel sets IPython up in 0.1-0.2 s, which the first
        # job waited for (a spare started during a job has had the job's time)
        run_sync(_until_ready)(_SPARE.km)


async def _until_ready(km, timeout: float = 60.0) -> None:
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=timeout)
    except Exception:  # noqa: BLE001 - the job finds out for itself (and starts another)
        pass
    finally:
        kc.stop_channels()


def _forget_after_fork() -> None:
    """In a forked child (a pool's worker): the parent's spare, its task and its taken kernels
    are the parent's, reached through the parent's fork server and zeromq sockets; the child
    never touches them (a child that shut down an inherited spare wrote to its parent's fork
    server and spun on an inherited socket)."""
    global _SPARE, _PENDING, _STARTING
    _SPARE, _PENDING, _STARTING = None, None, None
    _TAKEN.clear()


os.register_at_fork(after_in_child=_forget_after_fork)


def discard() -> None:
    """Shut down this worker's spare and anything taken but not adopted."""
    global _SPARE, _PENDING
    finish_starting()
    spare, _SPARE, _PENDING = _SPARE, None, None
    if spare is not None:
        _shutdown(spare.km)
    release_taken()
