"""A Jupyter kernel manager that starts the kernel in the sandbox (see :mod:`autograder.sandbox`).

nbclient (and so nbgrader's ``Execute``) creates its kernel manager from the class it is given
and the traitlets config, so grading code selects this one with
``Execute.kernel_manager_class`` and configures it under ``SandboxKernelManager``.
The kernel talks over Unix-domain sockets (``transport="ipc"``) in ``runtime_dir``, which is
what lets a kernel without a network namespace of its own reach the grader.

With ``forkserver`` set, the kernel is not started as a new program but forked from the
worker's fork server (:mod:`autograder.forkserver`), which runs in a sandbox made the same way
around ``forkserver_root`` (the folder that holds each job's kernel folders) and has torch
imported already.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Dict, Integer, List, Unicode, default

from . import forkserver
from . import sandbox as sandbox_mod


class SandboxKernelManager(AsyncKernelManager):
    runtime_dir = Unicode(
        "", help="Folder for the connection file and sockets (writable by the kernel)."
    ).tag(config=True)
    workdir = Unicode("", help="The kernel's working directory.").tag(config=True)
    writable = List(
        Unicode(), help="Folders the kernel may write (bound read-write in the sandbox)."
    ).tag(config=True)
    sandbox = Bool(True, help="Start the kernel inside bubblewrap.").tag(config=True)
    gpu = Bool(False, help="Make the GPU device files visible in the sandbox.").tag(config=True)
    limit_args = List(Unicode(), help="Resource-limit arguments of autograder.kernel.").tag(
        config=True
    )
    uid = Integer(
        None, allow_none=True, help="Unprivileged user id for the kernel (grader runs as root)."
    ).tag(config=True)
    kernel_env = Dict(help="The kernel's complete environment.").tag(config=True)
    python = Unicode(sys.executable, help="The Python that runs the kernel.").tag(config=True)
    forkserver = Bool(False, help="Fork the kernel from the worker's fork server.").tag(config=True)
    forkserver_root = Unicode(
        "", help="The fork server's writable folder; holds runtime_dir, workdir and writable."
    ).tag(config=True)

    #: kernel_env entries that are per job; the fork server gets its root folder instead
    PER_JOB_ENV = (
        "HOME",
        "TMPDIR",
        "MPLCONFIGDIR",
        "IPYTHONDIR",
        "XDG_CACHE_HOME",
        "CS231N_RUNS_DIR",
    )

    @default("transport")
    def _transport_default(self):
        return "ipc"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if self.runtime_dir:
            self.connection_file = str(Path(self.runtime_dir) / "kernel.json")
            self.ip = str(Path(self.runtime_dir) / "k")

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = [self.python, "-m", "autograder.kernel", *self.limit_args]
        if self.uid is not None:
            cmd.append(f"--uid={self.uid}")
        cmd += ["-f", self.connection_file, *(extra_arguments or [])]
        if not self.sandbox:
            return cmd
        writable = [Path(p) for p in (*self.writable, self.runtime_dir) if p]
        return (
            sandbox_mod.bwrap_args(
                writable=list(dict.fromkeys(writable)),
                workdir=Path(self.workdir or self.runtime_dir),
                as_root=os.geteuid() == 0,
                gpu=self.gpu,
            )
            + cmd
        )

    async def interrupt_kernel(self) -> None:
        """Interrupt by message on the control channel: a signal to the sandbox's bubblewrap
        process would not reach the kernel inside it (ipykernel then signals itself)."""
        if not self.sandbox and not self.forkserver:
            return await super().interrupt_kernel()
        msg = self.session.msg("interrupt_request", content={})
        self._connect_control_socket()
        self.session.send(self._control_socket, msg)

    def _server_command(self) -> list[str]:
        cmd = [self.python, "-m", "autograder.forkserver"]
        if not self.sandbox:
            return cmd
        root = Path(self.forkserver_root)
        return (
            sandbox_mod.bwrap_args(
                writable=[root], workdir=root, as_root=os.geteuid() == 0, gpu=self.gpu
            )
            + cmd
        )

    def _fork_kernel(self) -> bool:
        """Start the kernel from this worker's fork server; False if that server cannot start."""
        root = self.forkserver_root
        env = {**self.kernel_env, **{k: root for k in self.PER_JOB_ENV if k in self.kernel_env}}
        key = (self.python, self.sandbox, self.gpu, root, tuple(sorted(env.items())))
        log = str(Path(root) / ".forkserver.log")
        try:
            server = forkserver.server_for(
                key,
                lambda: forkserver.ForkServer(self._server_command(), env=env, cwd=root, log=log),
            )
        except forkserver.ForkServerError as exc:  # this worker starts its kernels the ordinary way
            forkserver.DISABLED = str(exc)
            self.log.warning("not forking kernels: %s", exc)
            return False
        argv = [*self.limit_args, *([f"--uid={self.uid}"] if self.uid is not None else [])]
        argv += ["-f", self.connection_file]
        runtime = Path(self.runtime_dir or Path(self.connection_file).parent)
        # the kernel gets a /tmp of its own: what it needs from the old one is bound back in
        tmp_binds = [(str(p), False) for p in (*self.writable, runtime) if p]
        tmp_binds += [(str(p), True) for p in sandbox_mod.readable_paths()]
        process = server.spawn(
            argv,
            env=dict(self.kernel_env),
            cwd=self.workdir or str(runtime),
            log=str(runtime.parent / "kernel.log"),
            tmp_binds=tmp_binds,
        )
        provisioner = self.provisioner
        provisioner.process = process
        provisioner.pid = process.pid
        provisioner.pgid = None
        self._reconcile_connection_info(provisioner.connection_info)
        return True

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        if self.uid is not None and os.geteuid() == 0:
            os.chown(self.connection_file, self.uid, self.uid)
        if self.forkserver and not forkserver.DISABLED and self._fork_kernel():
            return
        if self.kernel_env:
            kw["env"] = dict(self.kernel_env)
        if self.workdir:
            kw["cwd"] = self.workdir
        if not self.runtime_dir:
            return await super()._async_launch_kernel(kernel_cmd, **kw)
        # the kernel's own messages go to a log, not the grader's terminal; the kernel process
        # keeps its own copy of the file, so ours is closed once it has started
        with open(Path(self.runtime_dir).parent / "kernel.log", "ab") as log:
            kw.setdefault("stdout", log)
            kw.setdefault("stderr", log)
            return await super()._async_launch_kernel(kernel_cmd, **kw)
