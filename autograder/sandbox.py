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
- **another user id**: when the grader runs as root, the kernel drops to a user id of its own,
  so the process limit bites (root is exempt from it) and permissions protect what is not its.

Where bubblewrap is missing or unusable the kernel runs with the rlimits only; :func:`probe`
says which protections hold and the report prints the missing ones.
"""

from __future__ import annotations

import functools
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

#: what each protection means, in the words the report prints
PROTECTIONS = {
    "filesystem": "reads only its own copy and the course's read-only files; writes only its scratch folder",
    "network": "no network",
    "processes": "cannot see other processes; limited number of processes",
    "memory": "memory limit",
    "cpu": "CPU-time limit",
    "file_size": "limit on the size of a written file",
    "output": "limit on the output kept per notebook",
    "wall_clock": "time limit on the whole notebook",
    "user": "runs under a user id of its own",
}


@dataclass(frozen=True)
class Limits:
    """Resource limits of one kernel (and of everything it starts)."""

    memory_bytes: int = 6 * GiB
    cpu_seconds: int = 900
    processes: int = 128
    file_bytes: int = 256 * MiB
    open_files: int = 1024
    output_bytes: int = 2 * MiB

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
) -> list[str]:
    """bubblewrap's command line (without the program to run) for one kernel."""
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
    args += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp"]
    made.update({"/proc", "/dev", "/tmp"})
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
    args += ["--chdir", str(workdir)]
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


def sandbox_uid() -> int:
    """A user id for this worker's kernels (only used when the grader is root)."""
    return 61000 + os.getpid() % 20000
