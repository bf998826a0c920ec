"""The kernel of one graded submission: ``python -m autograder.kernel [limits] -f CONNECTION_FILE``.

Started by :class:`autograder.kernel_manager.SandboxKernelManager`, inside bubblewrap when it is
available. Before any submitted code runs it

1. sets the resource limits (``--memory`` is ``RLIMIT_DATA``: the CUDA build of torch reserves
   gigabytes of address space it never uses, which ``RLIMIT_AS`` would count),
2. drops to an unprivileged user id when started as root (``--uid``),
3. imports torch and NumPy once (every notebook does) and installs the tamper guard
   (:mod:`autograder.guard`), which snapshots the library and test functions,

then runs an ordinary IPython kernel.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys


def _set(limit: int, value: int) -> None:
    resource.setrlimit(limit, (value, value))


def _processes_of(uid: int) -> int:
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    count += 1
            except OSError:
                pass
    return count


def apply_limits(args: argparse.Namespace) -> None:
    _set(resource.RLIMIT_DATA, args.memory)
    _set(resource.RLIMIT_CPU, args.cpu)
    _set(resource.RLIMIT_FSIZE, args.fsize)
    _set(resource.RLIMIT_NOFILE, args.nofile)
    _set(resource.RLIMIT_CORE, 0)
    uid = args.uid if args.uid is not None else os.getuid()
    # RLIMIT_NPROC counts every process of the user id: a fresh id starts at zero.
    _set(resource.RLIMIT_NPROC, args.nproc + (0 if args.uid is not None else _processes_of(uid)))


def drop_privileges(uid: int) -> None:
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def parse(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """The limits and options of this module; the rest is IPKernelApp's (``-f FILE``)."""
    parser = argparse.ArgumentParser(prog="python -m autograder.kernel", add_help=False)
    parser.add_argument("--memory", type=int, required=True)
    parser.add_argument("--cpu", type=int, required=True)
    parser.add_argument("--nproc", type=int, required=True)
    parser.add_argument("--fsize", type=int, required=True)
    parser.add_argument("--nofile", type=int, required=True)
    parser.add_argument("--uid", type=int, default=None)
    parser.add_argument("--no-guard", action="store_true")
    return parser.parse_known_args(argv)


def confine(args: argparse.Namespace) -> None:
    """Set the limits, then give up root for ``--uid`` (limits first: root may set them all)."""
    if args.uid is not None and os.geteuid() == 0:
        apply_limits(args)
        drop_privileges(args.uid)
    else:
        args.uid = None
        apply_limits(args)


#: the process that started this kernel, read first thing (see :func:`main`)
_PARENT: int | None = None
#: the pid of the process that started this kernel as a direct child, when it says so (a
#: kernel whose parent died while Python was starting would otherwise take its new parent for
#: the one it watches, and outlive its worker)
PARENT_ENV = "CS231N_KERNEL_PARENT"


def die_with_parent(poll_seconds: float = 1.0) -> None:
    """Exit as soon as the process that started this kernel is gone.

    A grading worker killed mid-job (or a grader stopped with SIGKILL) must not leave its kernel
    running the submission: in the sandbox and the fork server the PID namespace sees to that,
    but a kernel started without them (``--no-sandbox --no-forkserver``) would be re-parented and
    live on. So a daemon thread watches the parent: when it changes, the kernel exits."""
    import threading
    import time

    # the parent as it was when this process started: one that died during the kernel's
    # imports is noticed too
    parent = _PARENT if _PARENT is not None else os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_seconds)
        os._exit(137)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()


def serve(args: argparse.Namespace, rest: list[str]) -> None:
    """Install the tamper guard and run the IPython kernel until it is shut down."""
    die_with_parent()
    guard = None
    if not args.no_guard:
        from autograder import guard as guard_module

        guard = guard_module.Guard()

    # In the sandbox's PID namespace the parent is PID 1, which ipykernel reads as "my parent
    # exited"; bubblewrap's --die-with-parent does that job instead.
    os.environ.pop("JPY_PARENT_PID", None)
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    app.initialize(rest)
    if guard is not None:
        guard.install(app.shell)
    app.start()


def main(argv: list[str] | None = None) -> None:
    global _PARENT
    told = os.environ.pop(PARENT_ENV, "")
    _PARENT = int(told) if told.isdigit() else os.getppid()
    args, rest = parse(sys.argv[1:] if argv is None else argv)
    confine(args)
    serve(args, rest)


if __name__ == "__main__":
    main(sys.argv[1:])
