"""Kernels forked from a process that has already imported torch: the grader's fork server.

Starting a kernel costs about 2 s here, most of it ``import torch``, and every graded notebook
paid it. A worker now starts one *fork server* (``python -m autograder.forkserver``), inside
the same bubblewrap sandbox and with the same environment its kernels used to get, which imports
torch, torchvision, NumPy and ipykernel once and then only forks. It never runs submitted
code. For each kernel it forks

- an **intermediate** process (in the server's namespaces) that starts a new session, takes the
  job's environment, working directory and log, enters new PID and mount namespaces (as root:
  directly; otherwise inside a new user namespace that maps only its own user id) and forks
- an **init** process, PID 1 of that namespace, which mounts a /proc of its own (as root) and a
  private /tmp and /dev/shm (the job's folders and course files under /tmp bound back in), so
  nothing one kernel leaves there reaches the next; it forks the kernel and reaps orphans until
  the kernel exits; when it ends, the kernel takes every process it started with it, as with
  bubblewrap's own PID namespace, and
- the **kernel** (PID 2), which sets the resource limits, drops to the job's user id and runs
  :func:`autograder.kernel.serve`, exactly what ``python -m autograder.kernel`` does.

The worker talks to the server over its stdin/stdout (JSON lines); kernels cannot reach it (their
standard streams are the kernel log, the server runs as another user or is not dumpable, and
it is outside their PID namespace). A kernel's process handle (:class:`KernelProcess`) is what
jupyter_client's provisioner expects of a ``Popen``. Where the namespaces cannot be made, the
kernel runs in a process group of its own, as ``python -m autograder.kernel`` would.
"""

from __future__ import annotations

import atexit
import ctypes
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

#: imported once by the server: every course notebook needs them, and they are most of a
#: kernel's start-up time
PRELOAD = (
    "torch",
    "torchvision",
    "numpy",
    "matplotlib.pyplot",
    "ipykernel.kernelapp",
    "autograder.guard",
)
READY = "ready"
UNSUPPORTED = "unsupported"
START_TIMEOUT = 120.0
REPLY_TIMEOUT = 30.0

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND = 1, 2, 4, 8, 32, 4096
MS_REC, MS_PRIVATE = 0x4000, 0x40000
TMPFS_OPTIONS = b"mode=1777,size=1g"


class ForkServerError(RuntimeError):
    """The fork server could not start or stopped answering."""


# -- the server (runs in its own process) ----------------------------------------------------------
def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _exit_code(status: int) -> int:
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code


def _unshare(libc, as_root: bool) -> bool:
    """New PID and mount namespaces for the caller's children; False if the kernel refuses."""
    if as_root:
        return libc.unshare(CLONE_NEWNS | CLONE_NEWPID) == 0
    uid, gid = os.getuid(), os.getgid()
    libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # /proc/self/*_map belong to us only when dumpable
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID) != 0:
        return False
    try:
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
        Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
    except OSError:
        return False
    return True


def _kernel(argv: list[str]) -> None:
    """The kernel process: limits, user id, then the same kernel ``autograder.kernel`` runs."""
    try:
        import random
        import tempfile

        from autograder import kernel

        args, rest = kernel.parse(argv)
        kernel.confine(args)
        _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # cleared by the uid change
        # what a fresh interpreter would have: its own random state, temp dir and threads
        random.seed()
        tempfile.tempdir = None
        try:
            import numpy

            numpy.random.seed()
            import torch

            torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "0")) or 1)
        except ImportError:
            pass
        kernel.serve(args, rest)
    except SystemExit as exc:
        os._exit(exc.code if isinstance(exc.code, int) else 1)
    except BaseException:  # noqa: BLE001 - the traceback goes to the kernel log
        import traceback

        traceback.print_exc()
        os._exit(1)
    os._exit(0)


def _private_tmp(libc, binds: list[tuple[str, bool]], size: int | None = None) -> None:
    """A fresh /tmp and /dev/shm for this kernel alone (they would otherwise be the fork
    server's, shared by every kernel it forks), with ``binds`` (the job's folders, course files
    that live under /tmp) mounted back at their paths, read-only where ``True``; each tmpfs holds
    at most ``size`` bytes (the job's disk quota), 1 GiB when not given."""
    options = f"mode=1777,size={size}".encode() if size else TMPFS_OPTIONS
    keep = []
    for path, readonly in sorted(binds):
        if path.startswith("/tmp/") and not any(path.startswith(k + "/") for k, _, _ in keep):
            keep.append((path, readonly, os.open(path, os.O_PATH | os.O_DIRECTORY)))
    for target in (b"/tmp", b"/dev/shm"):
        if os.path.isdir(target) and libc.mount(
            b"tmpfs", target, b"tmpfs", MS_NOSUID | MS_NODEV, options
        ):
            raise OSError(ctypes.get_errno(), f"cannot mount a private {target.decode()}")
    os.chmod("/tmp", 0o1777)
    for path, readonly, fd in keep:
        os.makedirs(path, mode=0o755, exist_ok=True)
        source = f"/proc/self/fd/{fd}".encode()
        if libc.mount(source, path.encode(), None, MS_BIND | MS_REC, None):
            raise OSError(ctypes.get_errno(), f"cannot bind {path} into the private /tmp")
        if readonly:
            libc.mount(None, path.encode(), None, MS_REMOUNT | MS_BIND | MS_RDONLY, None)
        os.close(fd)


def _init(req: dict, as_root: bool) -> None:
    """PID 1 of the kernel's namespace: start the kernel, reap orphans, end with the kernel."""
    libc = _libc()
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None)  # nothing below leaks out
    if as_root:  # a /proc that shows only this namespace's processes
        libc.mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None)
    _private_tmp(
        libc, [(p, bool(ro)) for p, ro in req.get("tmp_binds", [])], req.get("tmpfs_bytes")
    )
    pid = os.fork()
    if pid == 0:
        _kernel(req["argv"])
    signal.signal(signal.SIGTERM, lambda *_: os.kill(pid, signal.SIGKILL))
    while True:
        try:
            done, status = os.wait()
        except ChildProcessError:
            os._exit(1)
        except InterruptedError:
            continue
        if done == pid:
            os._exit(_exit_code(status))


def _intermediate(req: dict, report_fd: int, server: int) -> None:
    try:
        # a fork does not inherit the server's death signal: without its own, the
        # intermediate, init and the kernel running its cell would outlive a server whose
        # worker was killed (Ctrl-C, or a crash); init and the kernel die with their parents
        _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != server:  # the server died before the line above
            os._exit(1)
        os.setsid()
        null = os.open(os.devnull, os.O_RDONLY)
        log = os.open(req["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.closerange(3, report_fd)
        os.closerange(report_fd + 1, 65536)
        os.environ.clear()
        os.environ.update(req["env"])
        os.chdir(req["cwd"])
        as_root = os.geteuid() == 0
        isolated = _unshare(_libc(), as_root)
        # a new user namespace is a change of credentials, which clears the death signal
        _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != server:
            os._exit(1)
        pid = os.fork()
        if pid == 0:
            os.close(report_fd)
            if isolated:
                _init(req, as_root)
            else:
                os.setpgid(0, 0)
                _kernel(req["argv"])
        os.write(report_fd, json.dumps({"pid": pid, "isolated": isolated}).encode())
        os.close(report_fd)
        while True:
            try:
                _, status = os.waitpid(pid, 0)
                os._exit(_exit_code(status))
            except InterruptedError:
                continue
    except BaseException:  # noqa: BLE001
        import traceback

        traceback.print_exc()
        os._exit(1)


class _Server:
    def __init__(self) -> None:
        self.children: dict[int, dict] = {}  # intermediate pid -> {"inner": pid, "code": ...}

    def reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid in self.children:
                self.children[pid]["code"] = os.waitstatus_to_exitcode(status)

    def spawn(self, req: dict) -> dict:
        """Fork the intermediate and answer at once: its report (the pid of the namespace's
        init, or of the kernel) is read when a signal needs it (:meth:`_settle`), so that the
        worker does not wait for the namespaces and the second fork."""
        r, w = os.pipe()
        server = os.getpid()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            _intermediate(req, w, server)
        os.close(w)
        self.children[pid] = {"report": r, "inner": None, "isolated": False, "code": None}
        return {"pid": pid}

    def _settle(self, child: dict) -> None:
        """Read an intermediate's report once (it comes within milliseconds of the fork, or
        the pipe closes when the intermediate died before writing it)."""
        r = child.pop("report", None)
        if r is None:
            return
        data = b""
        try:
            while chunk := os.read(r, 4096):
                data += chunk
        finally:
            os.close(r)
        info = json.loads(data) if data else {"pid": None, "isolated": False}
        child["inner"], child["isolated"] = info["pid"], info["isolated"]

    def poll(self, pid: int) -> dict:
        self.reap()
        child = self.children.get(pid)
        if child is not None and child["code"] is not None:
            self._settle(child)  # ended: its report pipe is closed, so this does not wait
        return {"code": None if child is None else child["code"], "known": child is not None}

    def signal(self, pid: int, signum: int) -> dict:
        child = self.children.get(pid)
        if child is None or child["code"] is not None:
            return {"ok": False}
        self._settle(child)
        inner = child["inner"]
        if inner is None:  # the intermediate failed before its fork: it is all there is
            targets = []
        else:  # PID 1 of the namespace, or the kernel's process group
            targets = [inner] if child["isolated"] else [-inner]
        if signum in (signal.SIGKILL, signal.SIGTERM) or inner is None:
            targets.append(pid)
            signum = signal.SIGKILL
        for target in targets:
            try:
                os.kill(target, signum)
            except OSError:
                pass
        return {"ok": True}

    def stop(self) -> None:
        for pid in list(self.children):
            self.signal(pid, signal.SIGKILL)
        self.reap()

    def handle(self, req: dict) -> dict:
        op = req.get("op")
        if op == "spawn":
            return self.spawn(req)
        if op == "poll":
            return self.poll(int(req["pid"]))
        if op == "signal":
            return self.signal(int(req["pid"]), int(req["signum"]))
        return {"error": f"unknown op {op!r}"}


def _selftest() -> str | None:
    """Fork once the way a kernel is forked, without a kernel: None if the namespaces and the
    private /tmp can be made here, else what is missing (the worker then starts kernels the
    ordinary way, which does not depend on either)."""
    pid = os.fork()
    if pid == 0:
        code = 5
        try:
            os.setsid()
            if not _unshare(_libc(), os.geteuid() == 0):
                os._exit(3)
            inner = os.fork()
            if inner == 0:
                try:
                    libc = _libc()
                    libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None)
                    _private_tmp(libc, [])
                    os._exit(0)
                except BaseException:  # noqa: BLE001
                    os._exit(4)
            code = _exit_code(os.waitpid(inner, 0)[1])
        finally:
            os._exit(code)
    code = _exit_code(os.waitpid(pid, 0)[1])
    if code == 0:
        return None
    return {3: "cannot make PID namespaces", 4: "cannot mount a private /tmp"}.get(
        code, f"self-test exit code {code}"
    )


def serve() -> None:
    """The server's main loop: preload, say ``ready``, then answer one JSON request per line."""
    libc = _libc()
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # dies with its worker
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)  # kernels of the same user cannot ptrace it
    import importlib

    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    out = sys.stdout
    problem = _selftest()
    out.write((READY if problem is None else f"{UNSUPPORTED}: {problem}") + "\n")
    out.flush()
    if problem is not None:
        return
    server = _Server()
    try:
        for line in sys.stdin:
            try:
                reply = server.handle(json.loads(line))
            except Exception as exc:  # noqa: BLE001 - report, keep serving
                reply = {"error": f"{type(exc).__name__}: {exc}"}
            out.write(json.dumps(reply) + "\n")
            out.flush()
    finally:
        server.stop()


# -- the client (in the grading worker) --------------------------------------------------------------
class ForkServer:
    """A running fork server and the way to ask it for kernels."""

    def __init__(self, command: list[str], *, env: dict[str, str], cwd: str, log: str) -> None:
        self.command = command
        with open(log, "ab") as err:
            self.proc = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
                env=env,
                cwd=cwd,
                text=True,
                bufsize=1,
            )
        self.log = log
        self._lock = threading.Lock()
        line = self._readline(START_TIMEOUT)
        if line.strip() != READY:
            self.close()
            raise ForkServerError(
                f"the fork server did not start ({line.strip() or 'no answer'}); see {log}"
            )

    def alive(self) -> bool:
        return self.proc.poll() is None

    def _readline(self, timeout: float) -> str:
        # poll, not select: a worker forked from a process with many open files (a long test
        # session) may hold this pipe above select's limit of 1024 ("filedescriptor out of range")
        waiter = select.poll()
        waiter.register(self.proc.stdout, select.POLLIN | select.POLLHUP)
        if not waiter.poll(timeout * 1000):
            return ""
        return self.proc.stdout.readline()

    def request(self, **msg) -> dict:
        with self._lock:
            if not self.alive():
                raise ForkServerError(f"the fork server has exited; see {self.log}")
            try:
                self.proc.stdin.write(json.dumps(msg) + "\n")
                self.proc.stdin.flush()
                line = self._readline(REPLY_TIMEOUT)
            except (OSError, ValueError) as exc:  # ValueError: its pipes were closed (exit)
                raise ForkServerError(f"the fork server stopped answering ({exc})") from exc
        if not line:
            raise ForkServerError("the fork server stopped answering")
        reply = json.loads(line)
        if "error" in reply:
            raise ForkServerError(reply["error"])
        return reply

    def spawn(
        self,
        argv: list[str],
        *,
        env: dict[str, str],
        cwd: str,
        log: str,
        tmp_binds: list[tuple[str, bool]] = (),
        tmpfs_bytes: int | None = None,
    ) -> KernelProcess:
        reply = self.request(
            op="spawn",
            argv=argv,
            env=env,
            cwd=cwd,
            log=log,
            tmp_binds=list(tmp_binds),
            tmpfs_bytes=tmpfs_bytes,
        )
        return KernelProcess(self, reply["pid"])

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=5)
            except Exception:  # noqa: BLE001
                self.proc.kill()
                self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            try:
                pipe.close()
            except Exception:  # noqa: BLE001 - closed already, or broken
                pass


class KernelProcess:
    """What jupyter_client's ``LocalProvisioner`` uses of a ``Popen``, for a forked kernel."""

    stdin = stdout = stderr = None

    def __init__(self, server: ForkServer, pid: int) -> None:
        self.server, self.pid = server, pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                self.returncode = self.server.request(op="poll", pid=self.pid)["code"]
            except ForkServerError:
                self.returncode = -signal.SIGKILL  # its server is gone, and the kernel with it
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            time.sleep(0.05)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            self.server.request(op="signal", pid=self.pid, signum=int(signum))

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


_SERVERS: dict[tuple, ForkServer] = {}
#: set (to the reason) when this process's fork server could not start: kernels start as before
DISABLED: str | None = None


def server_for(key: tuple, make) -> ForkServer:
    """This process's fork server for ``key`` (one per worker and settings), started by
    ``make()`` on first use and again if it has died."""
    server = _SERVERS.get(key)
    if server is None or not server.alive():
        for old_key, old in list(_SERVERS.items()):  # one server per worker at a time
            old.close()
            del _SERVERS[old_key]
        server = _SERVERS[key] = make()
    return server


def _forget_after_fork() -> None:
    """A forked child starts its own fork server: the parent's pipes are the parent's."""
    _SERVERS.clear()


os.register_at_fork(after_in_child=_forget_after_fork)


def close_all() -> None:
    for server in _SERVERS.values():
        server.close()
    _SERVERS.clear()


atexit.register(close_all)


if __name__ == "__main__":
    serve()
