"""Where and how one submission's kernel runs: bubblewrap plus resource limits.

Each kernel starts as ``bwrap ... python -m autograder.kernel ...``:

- **bubblewrap** (Debian package ``bubblewrap``, the sandbox Flatpak uses) builds a new mount
  namespace from an allow-list: the system's ``/usr``, ``/etc``, the Python environment and the
  course's read-only packages and data. The submission's own working copy, a scratch home and the
  kernel's socket folder are the only writable paths. Other students' submissions, the source
  notebooks, the grader's output and the gradebook are simply not in that file system. The
  network, PID, IPC and UTS namespaces are new ones, so the kernel has no network (it talks to the
  grader over Unix sockets in its socket folder) and cannot see or signal other processes.
- **rlimits**, set by :mod:`autograder.kernel` before any submitted code runs: address space
  of data (``RLIMIT_DATA``), CPU seconds, number of processes, size of a written file, open files.
- **a disk quota per job** (:attr:`Limits.disk_bytes`): every tmpfs of the sandbox (``/tmp``,
  ``/dev/shm``) has that size, so writing past it fails with "No space left on device", and the
  grader's watchdog (:mod:`autograder.watchdog`) stops the kernel whose folders on disk (its
  working copy, its home) grow past it.
- **a cap on one message** (:attr:`Limits.message_bytes`): the kernel cuts an oversized output
  before sending it, and the grader's sockets refuse any larger frame before it is read, so one
  huge ``print`` cannot blow up the grader's memory.
- **another user id**: when the grader runs as root, the kernel drops to a user id of its own,
  so the process limit bites (root is exempt from it) and permissions protect what is not its.

Where bubblewrap is missing or unusable the kernel runs with the rlimits only; :func:`probe`
says which protections hold and the report prints the missing ones.
"""

from __future__ import annotations

import functools
import itertools
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .course import REPO_ROOT

GiB = 2**30
MiB = 2**20

SANDBOX_MISSING = (
    "bubblewrap is not usable on this machine ({reason}): submissions were graded WITHOUT "
    "file-system and network isolation (only resource limits applied). Install it with "
    "`sudo apt-get install bubblewrap` (or `make system-deps`) and grade again."
)

TOO_OLD = (
    "this bubblewrap cannot give a tmpfs a size (--size), which the disk quota needs ({error}): "
    "install a newer one"
)

#: what each protection means, in the words the report prints
PROTECTIONS = {
    "filesystem": "reads only its own copy and the course's read-only files; writes only its scratch folder",
    "network": "no network",
    "processes": "cannot see other processes; limited number of processes",
    "memory": "memory limit",
    "cpu": "CPU-time limit",
    "file_size": "limit on the size of a written file",
    "disk": "disk quota per job (its folders, /tmp and /dev/shm)",
    "messages": "limit on the size of one message from the kernel to the grader",
    "output": "limit on the output kept per notebook",
    "wall_clock": "time limit on the whole notebook",
    "user": "runs under a user id of its own",
}


@dataclass(frozen=True)
class Limits:
    """Resource limits of one kernel (and of everything it starts).

    ``memory_bytes``, ``cpu_seconds``, ``processes``, ``file_bytes`` and ``open_files`` are the
    kernel's rlimits (:mod:`autograder.kernel`), per process. ``output_bytes`` is the output
    kept per notebook (:mod:`autograder.preprocessors.sandboxed_execute`).

    ``disk_bytes`` is the job's disk quota, in each place the kernel can write: the tmpfs
    ``/tmp`` and ``/dev/shm`` of the sandbox (or of the fork server's kernel) have that size,
    and the watchdog stops the kernel when its folders on disk (working copy, home and, without
    a sandbox, what its own user id left in the machine's ``/tmp``, ``/var/tmp``, ``/dev/shm``)
    hold more. A tmpfs is memory: a job can hold up to ``disk_bytes`` in each of its tmpfs on top
    of ``memory_bytes``.

    ``message_bytes`` caps one frame of a message from the kernel: the kernel cuts an output
    larger than that before sending it (its text is cut, an oversized image dropped, with a
    note), and the grader's sockets drop any larger frame before reading it, so the grader
    never holds more than about that much of one message. A kernel that sends one anyway (it
    put another packer in place) loses that connection for good: its later outputs are lost,
    each cell's verdict then rests on its reply alone, and the tamper guard's final report
    never arrives, so the notebook is ``tampered``.
    """

    memory_bytes: int = 6 * GiB
    cpu_seconds: int = 900
    processes: int = 128
    file_bytes: int = 256 * MiB
    open_files: int = 1024
    output_bytes: int = 2 * MiB
    disk_bytes: int = 512 * MiB
    message_bytes: int = 8 * MiB

    def kernel_args(self) -> list[str]:
        return [
            f"--memory={self.memory_bytes}",
            f"--cpu={self.cpu_seconds}",
            f"--nproc={self.processes}",
            f"--fsize={self.file_bytes}",
            f"--nofile={self.open_files}",
        ]


def bwrap_program() -> str | None:
    return shutil.which("bwrap")


def _system_paths() -> list[str]:
    return [
        p
        for p in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc")
        if os.path.exists(p)
    ]


def readable_paths() -> list[Path]:
    """The read-only part of a kernel's file system besides the system: Python and the course."""
    paths = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.executable).resolve().parent.parent}
    for pkg in ("cs231n_tools", "autograder"):
        paths.add(REPO_ROOT / pkg)
    for extra in ("data",):
        if (REPO_ROOT / extra).is_dir():
            paths.add(REPO_ROOT / extra)
    for name in ("torch", "numpy"):  # packages installed outside the venv (system site)
        try:
            import importlib.util

            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec and spec.origin:
            site = Path(spec.origin).resolve().parent.parent
            if not any(site.is_relative_to(p) for p in paths):
                paths.add(site)
    return sorted(p.resolve() for p in paths if p.exists())


def gpu_device_paths() -> list[str]:
    dev = Path("/dev")
    return sorted(str(p) for p in dev.glob("nvidia*")) + [
        p for p in ("/dev/dri",) if os.path.exists(p)
    ]


def bwrap_args(
    *,
    writable: list[Path],
    workdir: Path,
    as_root: bool,
    gpu: bool = False,
    readable: list[Path] | None = None,
    tmpfs_bytes: int = Limits.disk_bytes,
) -> list[str]:
    """bubblewrap's command line (without the program to run) for one kernel.

    Every tmpfs is sized (``tmpfs_bytes``, the job's disk quota): ``/tmp``, and ``/dev/shm`` on
    the ``/dev`` bubblewrap makes, which is then read-only (in a user namespace its tmpfs would
    otherwise be the kernel's to fill, without a size). Device files stay writable."""
    args = [bwrap_program() or "bwrap", "--die-with-parent", "--new-session"]
    # As root we stay out of a user namespace so the kernel can drop to a real, unprivileged
    # user id (autograder.kernel --uid); otherwise the user namespace is what lets bwrap work.
    args += [
        "--unshare-ipc",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-uts",
        "--unshare-cgroup-try",
    ]
    if not as_root:
        args += ["--unshare-user"]
    made: set[str] = {"/"}

    def parents(path: Path) -> list[str]:
        # bubblewrap makes missing mount points with mode 0700: open them to the kernel's user
        out = []
        for parent in reversed(Path(path).parents):
            if str(parent) not in made:
                made.add(str(parent))
                out += ["--perms", "0755", "--dir", str(parent)]
        return out

    for p in _system_paths():
        args += ["--ro-bind", p, p]
        made.add(p)
    # A fresh /tmp first: the course or its venv may live under /tmp (a CI clone), and a later
    # tmpfs would hide their read-only binds.
    size = ["--size", str(tmpfs_bytes)]
    args += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", *size, "--tmpfs", "/dev/shm"]
    args += ["--perms", "1777", *size, "--tmpfs", "/tmp"]
    made.update({"/proc", "/dev", "/dev/shm", "/tmp"})
    for p in readable if readable is not None else readable_paths():
        args += [*parents(p), "--ro-bind", str(p), str(p)]
        made.add(str(p))
    if gpu:  # the NVIDIA driver's device files, and /sys where CUDA looks up the devices
        args += ["--ro-bind", "/sys", "/sys"]
        for p in gpu_device_paths():
            args += ["--dev-bind", p, p]
    for p in writable:
        args += [*parents(p), "--bind", str(p), str(p)]
        made.add(str(p))
    args += ["--remount-ro", "/dev", "--chdir", str(workdir)]
    return args


@functools.lru_cache(maxsize=None)
def probe() -> tuple[bool, str]:
    """Whether bubblewrap can start a sandbox here, and why not."""
    prog = bwrap_program()
    if prog is None:
        return False, "the program bwrap is not installed"
    tmp = Path(os.environ.get("TMPDIR", "/tmp"))
    args = bwrap_args(writable=[], workdir=Path("/"), as_root=os.geteuid() == 0, readable=[])
    try:
        proc = subprocess.run([*args, "true"], capture_output=True, text=True, timeout=30, cwd=tmp)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"bwrap failed to start: {exc}"
    if proc.returncode != 0:
        if "--size" in proc.stderr:
            return False, TOO_OLD.format(error=proc.stderr.strip()[:200])
        return False, f"bwrap failed: {proc.stderr.strip()[:200]}"
    return True, "ok"


def protections(*, sandboxed: bool) -> dict[str, bool]:
    """Which of :data:`PROTECTIONS` hold for kernels started the way this machine allows."""
    return {
        "filesystem": sandboxed,
        "network": sandboxed,
        "processes": True,
        "memory": True,
        "cpu": True,
        "file_size": True,
        # without the sandbox, what the kernel writes into the machine's /tmp is found by its
        # own user id: a kernel that keeps the grader's can fill /tmp unseen
        "disk": sandboxed or kernel_user_id(sandboxed=False),
        "messages": True,
        "output": True,
        "wall_clock": True,
        "user": kernel_user_id(sandboxed=sandboxed),
    }


def others_can_reach(paths: list[Path] | None = None) -> bool:
    """Whether a user id of the kernel's own can reach Python and the course outside the sandbox:
    every folder above them must be searchable by others (a Python under /root is not)."""
    for path in readable_paths() if paths is None else paths:
        for folder in [Path(path), *Path(path).parents]:
            try:
                if not folder.stat().st_mode & 0o001:
                    return False
            except OSError:
                return False
    return True


def kernel_user_id(*, sandboxed: bool) -> bool:
    """Whether kernels drop to a user id of their own: only the grader as root can, and without
    the sandbox (which opens the folders above its binds) only if that user can reach Python."""
    return os.geteuid() == 0 and (sandboxed or others_can_reach())


#: the user ids of kernels: a block of :data:`UIDS_PER_WORKER` for each worker process (by its
#: PID), far from the system's and from ``nobody`` (65534)
UID_BASE, UIDS_PER_WORKER, WORKER_SLOTS = 100_000, 8, 100_000
SANDBOX_UIDS = range(UID_BASE, UID_BASE + UIDS_PER_WORKER * WORKER_SLOTS)
_NEXT_UID = itertools.count()


def sandbox_uid() -> int:
    """A user id for the next kernel a worker starts (only used when the grader is root): each
    kernel gets the next of its worker's ids, so two kernels alive at once never share one (a
    worker's running kernel and the spare it starts for its next job, or a kernel and the
    processes the previous one left while they die). Limits per user id (``RLIMIT_NPROC``
    counts every process of the id) and file ownership then never mix two submissions."""
    slot = os.getpid() % WORKER_SLOTS
    return UID_BASE + slot * UIDS_PER_WORKER + next(_NEXT_UID) % UIDS_PER_WORKER
