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

Two limits are the grader's to enforce, here: a :class:`autograder.watchdog.Watchdog` per
kernel kills it when its job's folders pass ``disk_bytes``, and :attr:`stop_reason` then says
why; every socket to the kernel (this manager's and its client's, :class:`CappedKernelClient`)
refuses a frame over ``message_bytes``, which the kernel's own packer
(:mod:`autograder.message_cap`) keeps its outputs under.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path
from queue import Empty

import zmq
import zmq.asyncio
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Dict, DottedObjectName, Float, Integer, List, Type, Unicode, default

from . import forkserver, message_cap
from . import kernel as kernel_mod
from . import sandbox as sandbox_mod
from . import watchdog as watchdog_mod

#: how long to wait for the kernel's idle status on IOPub after its kernel_info reply: it comes
#: within milliseconds once IOPub is subscribed, and never if the subscription came too late
#: (then kernel_info is asked again)
IOPUB_PROOF_S = 0.05


def _capped_context(message_bytes: int) -> zmq.asyncio.Context:
    """A zeromq context whose sockets drop any frame over ``message_bytes`` unread."""
    ctx = zmq.asyncio.Context()
    if message_bytes:
        ctx.setsockopt(zmq.MAXMSGSIZE, message_bytes)
    return ctx


class CappedKernelClient(AsyncKernelClient):
    """The client nbclient gets from :meth:`SandboxKernelManager.client`: its sockets refuse
    frames over the manager's ``message_bytes``."""

    @default("context")
    def _context_default(self) -> zmq.asyncio.Context:
        self._created_context = True
        return _capped_context(getattr(self.parent, "message_bytes", 0))

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        """jupyter_client's wait for a new kernel, without its fixed 0.2 s.

        The original asks for ``kernel_info`` until it gets the reply and an IOPub message
        (proof that the IOPub subscription is live: what the kernel publishes before it is, is
        lost), then reads IOPub until it has been quiet for 0.2 s, on every kernel start. This
        one waits for the kernel's ``idle`` status *of its own request* on IOPub, which is the
        same proof, and returns at once; messages left on IOPub are the kernel's start-up
        status, which nbclient ignores (it reads only the replies to its own requests)."""
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        asked: set[str] = set()
        reply = None
        while True:
            asked.add(self.kernel_info())
            until = time.monotonic() + 1.0
            while reply is None and time.monotonic() < until:
                try:
                    msg = await self._async_get_shell_msg(timeout=until - time.monotonic())
                except Empty:
                    break
                if msg["msg_type"] == "kernel_info_reply":
                    reply = msg
            if reply is not None and await self._idle_after(asked, IOPUB_PROOF_S):
                self._handle_kernel_info_reply(reply)
                return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")

    async def _idle_after(self, asked: set[str], seconds: float) -> bool:
        """Whether IOPub shows the kernel idle after one of ``asked`` within ``seconds``."""
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            try:
                msg = await self._async_get_iopub_msg(timeout=until - time.monotonic())
            except Empty:
                return False
            if (
                msg["msg_type"] == "status"
                and msg["content"].get("execution_state") == "idle"
                and msg.get("parent_header", {}).get("msg_id") in asked
            ):
                return True
        return False

    wait_for_ready = _async_wait_for_ready


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
    disk_bytes = Integer(
        sandbox_mod.Limits.disk_bytes,
        help="The job's disk quota: the size of each tmpfs, and what its folders may hold.",
    ).tag(config=True)
    message_bytes = Integer(
        sandbox_mod.Limits.message_bytes, help="The largest frame a kernel may send (0: any)."
    ).tag(config=True)
    watch_interval = Float(0.5, help="Seconds between two measures of the job's folders.").tag(
        config=True
    )

    #: why the grader stopped the kernel (its disk quota); None if it did not
    stop_reason: str | None = None
    watchdog: watchdog_mod.Watchdog | None = None

    #: kernel_env entries that are per job; the fork server gets its root folder instead
    PER_JOB_ENV = (
        "HOME",
        "TMPDIR",
        "MPLCONFIGDIR",
        "IPYTHONDIR",
        "XDG_CACHE_HOME",
        "CS231N_RUNS_DIR",
        "TORCHINDUCTOR_CACHE_DIR",
        "TRITON_CACHE_DIR",
    )

    @default("transport")
    def _transport_default(self):
        return "ipc"

    client_class = DottedObjectName(f"{__name__}.CappedKernelClient", config=True)
    client_factory = Type(klass=CappedKernelClient, config=True)

    @default("context")
    def _context_default(self):
        self._created_context = True
        return _capped_context(self.message_bytes)

    def _kernel_options(self) -> list[str]:
        """The kernel's own options after its connection file: the capped packer."""
        return [f"--Session.packer={message_cap.PACKER}"] if self.message_bytes else []

    def _env(self) -> dict[str, str]:
        """The kernel's environment, with the cap its packer keeps to (the same as this side's:
        a kernel that guessed a larger one would be stopped for an honest output)."""
        env = dict(self.kernel_env or os.environ)
        if self.message_bytes:
            env[message_cap.LIMIT_ENV] = str(self.message_bytes)
        return env

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if self.runtime_dir:
            self.connection_file = str(Path(self.runtime_dir) / "kernel.json")
            self.ip = str(Path(self.runtime_dir) / "k")

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = [self.python, "-m", "autograder.kernel", *self.limit_args]
        if self.uid is not None:
            cmd.append(f"--uid={self.uid}")
        cmd += ["-f", self.connection_file, *self._kernel_options(), *(extra_arguments or [])]
        if not self.sandbox:
            return cmd
        writable = [Path(p) for p in (*self.writable, self.runtime_dir) if p]
        return (
            sandbox_mod.bwrap_args(
                writable=list(dict.fromkeys(writable)),
                workdir=Path(self.workdir or self.runtime_dir),
                as_root=os.geteuid() == 0,
                gpu=self.gpu,
                tmpfs_bytes=self.disk_bytes,
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
                writable=[root],
                workdir=root,
                as_root=os.geteuid() == 0,
                gpu=self.gpu,
                tmpfs_bytes=self.disk_bytes,
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
        argv += ["-f", self.connection_file, *self._kernel_options()]
        runtime = Path(self.runtime_dir or Path(self.connection_file).parent)
        # the kernel gets a /tmp of its own: what it needs from the old one is bound back in
        tmp_binds = [(str(p), False) for p in (*self.writable, runtime) if p]
        tmp_binds += [(str(p), True) for p in sandbox_mod.readable_paths()]
        process = server.spawn(
            argv,
            env=self._env(),
            cwd=self.workdir or str(runtime),
            log=str(runtime.parent / "kernel.log"),
            tmp_binds=tmp_binds,
            tmpfs_bytes=self.disk_bytes,
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
            self._start_watchdog()
            return
        kw["env"] = self._env()
        if not self.sandbox:  # a direct child: it watches this process (kernel.die_with_parent)
            kw["env"][kernel_mod.PARENT_ENV] = str(os.getpid())
        if self.workdir:
            kw["cwd"] = self.workdir
        if not self.runtime_dir:
            await super()._async_launch_kernel(kernel_cmd, **kw)
            self._start_watchdog()
            return
        # the kernel's own messages go to a log, not the grader's terminal; the kernel process
        # keeps its own copy of the file, so ours is closed once it has started
        with open(Path(self.runtime_dir).parent / "kernel.log", "ab") as log:
            kw.setdefault("stdout", log)
            kw.setdefault("stderr", log)
            await super()._async_launch_kernel(kernel_cmd, **kw)
        self._start_watchdog()

    # -- the grader's watch over the kernel ------------------------------------------------------
    def _watched_roots(self) -> list[Path]:
        """Every folder on disk the kernel can write, and its log (its standard streams)."""
        roots = [Path(p) for p in (*self.writable, self.runtime_dir, self.workdir) if p]
        if self.runtime_dir:
            roots.append(Path(self.runtime_dir).parent / "kernel.log")
        return list(dict.fromkeys(roots))

    def _start_watchdog(self) -> None:
        if not self.disk_bytes:
            return
        # without a sandbox the machine's /tmp is the kernel's too: what its own user id owns
        # there is its job's (a kernel that kept the grader's user id cannot be told apart)
        owner = self.uid if (not self.sandbox and self.uid is not None) else None
        self.stop_reason = None
        self.watchdog = watchdog_mod.Watchdog(
            roots=self._watched_roots(),
            quota=self.disk_bytes,
            owner=owner,
            shared=watchdog_mod.SHARED_FOLDERS if owner is not None else (),
            kill=self._kill_now,
            alive=self._process_alive,
            interval=self.watch_interval,
        )
        self.watchdog.start()

    def _process_alive(self) -> bool:
        process = getattr(self.provisioner, "process", None)
        return process is not None and process.poll() is None

    def _kill_now(self) -> None:
        """Kill the kernel from the watchdog's thread (nbclient notices within a second)."""
        dog = self.watchdog
        if dog is not None and dog.reason:
            self.stop_reason = dog.reason
        provisioner = self.provisioner
        process = getattr(provisioner, "process", None)
        if process is None:
            return
        try:
            process.kill()
        except (OSError, forkserver.ForkServerError):
            pass
        pgid = getattr(provisioner, "pgid", None)
        if pgid:
            try:
                os.killpg(pgid, signal.SIGKILL)
            except OSError:
                pass

    def stop_watching(self) -> None:
        """Stop the watchdog (idempotent); what a kernel without a sandbox left in the
        machine's /tmp under its own user id goes with it."""
        dog, self.watchdog = self.watchdog, None
        if dog is None:
            return
        dog.stop()
        if dog.reason:
            self.stop_reason = dog.reason
        if dog.owner is not None and not self._process_alive():
            watchdog_mod.remove_owned(dog.owner, dog.shared)

    async def _async_shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
        if self.watchdog is not None:  # a kernel being shut down is not the watchdog's to kill
            self.watchdog.stop()
        await super()._async_shutdown_kernel(now=now, restart=restart)

    shutdown_kernel = _async_shutdown_kernel

    async def _async_kill_kernel(self, restart: bool = False) -> None:
        """jupyter_client's kill, which then waits for the kernel's end. A forked kernel is
        killed through its fork server (SIGKILL to PID 1 of its namespace, which takes every
        process of the namespace with it) and not waited for: nothing of it runs after the
        signal, its teardown (10-20 ms of unmapping torch) is the kernel's, and the fork server
        reaps it. A kernel started as a program is killed and waited for as before."""
        process = getattr(self.provisioner, "process", None)
        if isinstance(process, forkserver.KernelProcess):
            process.kill()
            self.provisioner.process = None
            return
        await super()._async_kill_kernel(restart=restart)

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        """jupyter_client's wait for the kernel's end, which polls every ``pollinterval``
        (0.1 s): a killed kernel is gone within milliseconds, so every job's shutdown waited
        the full 0.1 s. Here the polls start at 2 ms and double up to ``pollinterval``."""
        pause = 0.002
        while await self._async_is_alive():
            await asyncio.sleep(pause)
            pause = min(pollinterval, pause * 2)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        self.stop_watching()
        await super()._async_cleanup_resources(restart=restart)

    cleanup_resources = _async_cleanup_resources
