"""The grader's watch over one running kernel: its job's disk quota.

Bubblewrap can give a tmpfs a size, but a kernel's working copy and home are folders on the
grader's disk (bound into the sandbox, or used directly without one), where nothing stops a
cell from writing gigabytes in many files below the size limit of one file. So a thread of the
grader (:class:`Watchdog`, one per kernel, started by
:class:`autograder.kernel_manager.SandboxKernelManager`) measures the job's folders every
``interval`` seconds and kills the kernel when they hold more than the quota; the job then ends
like a kernel that died, with :data:`DISK_QUOTA` as the reason.

Measuring is cheap on purpose: one ``lstat`` per file, each inode counted once, at least one
block (4 KiB) per file so that a million empty files count as well, and the walk stops as soon
as the total passes the quota (so it never costs more than quota / 4 KiB ``lstat`` calls). A job
whose folders grow is measured more often, the faster they grow (see :meth:`Watchdog._pause`).
"""

from __future__ import annotations

import os
import shutil
import stat
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

DISK_QUOTA = "disk quota of {mb:g} MB reached: the kernel was stopped"
#: what every file, folder or link costs at least (one block of the usual file systems)
MIN_CHARGE = 4096
#: world-writable folders where, without a sandbox, a kernel with a user id of its own can
#: leave files: what it owns there counts against its quota (and is removed after the job)
SHARED_FOLDERS = ("/tmp", "/var/tmp", "/dev/shm")
#: the shortest pause between two measures (a job whose folders grow fast)
MIN_PAUSE_S = 0.02


def _charge(st: os.stat_result) -> int:
    return max(st.st_blocks * 512, MIN_CHARGE)


def _entries(folder: str | Path) -> Iterable[tuple[os.DirEntry, os.stat_result]]:
    """Each entry of ``folder`` with its own stat (links not followed); unreadable folders and
    entries that vanish meanwhile are skipped."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        try:
            yield entry, entry.stat(follow_symlinks=False)
        except OSError:
            continue


def disk_usage(
    roots: Iterable[Path | str],
    *,
    limit: int | None = None,
    owner: int | None = None,
    shared: Iterable[Path | str] = (),
) -> int:
    """Bytes held under ``roots`` (files and folders; each inode once, at least
    :data:`MIN_CHARGE` each) plus, in each ``shared`` folder, under its entries that belong to
    ``owner``. Stops early once the total is over ``limit``; unreadable or vanishing entries
    are skipped. Links are counted, never followed."""
    seen: set[tuple[int, int]] = set()
    total = 0
    stack: list[str] = []

    def add(st: os.stat_result) -> bool:
        nonlocal total
        key = (st.st_dev, st.st_ino)
        if key in seen:
            return False
        seen.add(key)
        total += _charge(st)
        return True

    for root in roots:
        try:
            st = os.lstat(root)
        except OSError:
            continue
        if add(st) and stat.S_ISDIR(st.st_mode):
            stack.append(str(root))
    if owner is not None:
        for folder in shared:
            for entry, st in _entries(folder):
                if st.st_uid == owner and add(st) and stat.S_ISDIR(st.st_mode):
                    stack.append(entry.path)
    while stack:
        if limit is not None and total > limit:
            return total
        for entry, st in _entries(stack.pop()):
            if add(st) and stat.S_ISDIR(st.st_mode):
                stack.append(entry.path)
    return total


def remove_owned(owner: int, shared: Iterable[Path | str] = SHARED_FOLDERS) -> None:
    """Delete what ``owner`` left in the ``shared`` folders (links themselves, never what they
    point to), so that the next job of the same user id starts from nothing."""
    for folder in shared:
        for entry, st in _entries(folder):
            if st.st_uid != owner:
                continue
            try:
                if stat.S_ISDIR(st.st_mode):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
            except OSError:
                pass


class Watchdog:
    """A thread that kills the kernel when its job's disk use passes ``quota``; :attr:`reason`
    then says so. ``kill()`` kills the kernel (and what it started); ``alive()`` tells whether
    it still runs (the thread ends with the kernel)."""

    def __init__(
        self,
        *,
        roots: list[Path],
        quota: int,
        kill: Callable[[], None],
        alive: Callable[[], bool],
        owner: int | None = None,
        shared: Iterable[Path | str] = (),
        interval: float = 0.5,
    ) -> None:
        self.roots, self.quota, self.owner, self.shared = roots, quota, owner, tuple(shared)
        self.interval = interval
        self._kill, self._alive = kill, alive
        self.reason: str | None = None
        #: seconds spent measuring the disk, and how many times (the watchdog's cost)
        self.measure_s, self.measures = 0.0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kernel-watchdog", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop watching (wakes the thread at once; returns when it has ended)."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    def _pause(self, used: int, rate: float) -> float:
        """Seconds to the next measure: ``interval`` while the job's folders do not grow, less
        while they do, so that the next measure comes before the quota is half-way reached at
        the present rate (at least :data:`MIN_PAUSE_S`): a fast writer is stopped about where
        the quota is, an honest job costs one walk of its few files per ``interval``."""
        if rate <= 0:
            return self.interval
        return max(MIN_PAUSE_S, min(self.interval, (self.quota - used) / rate / 2))

    def measure(self) -> int:
        t0 = time.perf_counter()
        used = disk_usage(self.roots, limit=self.quota, owner=self.owner, shared=self.shared)
        self.measure_s += time.perf_counter() - t0
        self.measures += 1
        return used

    def _run(self) -> None:
        last_used, last_at = 0, time.monotonic()
        # the first look comes soon: a cell may start writing the moment the kernel is up
        pause = MIN_PAUSE_S * 5
        while not self._stop.wait(pause):
            if not self._alive():
                return
            used = self.measure()
            if used > self.quota:
                if not self._stop.is_set():
                    self.reason = DISK_QUOTA.format(mb=self.quota / 2**20)
                    self._kill()
                return
            now = time.monotonic()
            rate = (used - last_used) / max(now - last_at, 1e-3)
            last_used, last_at = used, now
            pause = self._pause(used, rate)
