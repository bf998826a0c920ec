"""Timing that is honest on a GPU.

CUDA kernels run asynchronously: a Python timer around ``a @ b`` on a GPU measures only the
launch. These helpers synchronise the device before reading the clock. Taught in 01_tensors.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import torch


def _import_benchmark():
    """``torch.utils.benchmark``, imported with one log line muted.

    Importing it imports ``torch.utils.cpp_extension``, which logs "No CUDA runtime is found"
    on a machine that has a CUDA toolkit but no GPU (to stderr, in the notebook's set-up cell).
    """
    logger = logging.getLogger("torch.utils.cpp_extension")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        import torch.utils.benchmark as bench
    finally:
        logger.setLevel(level)
    return bench


tbench = _import_benchmark()


def synchronize(device: torch.device | str | None = None) -> None:
    """Wait for every queued kernel on ``device`` (a no-op on the CPU)."""
    if device is None:
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        return
    device = torch.device(device)
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_function(
    fn: Callable[[], object],
    *,
    device: torch.device | str | None = None,
    min_run_time: float = 0.2,
    num_threads: int | None = None,
) -> float:
    """Median seconds per call of ``fn()`` (no arguments), synchronising ``device``.

    Uses :class:`torch.utils.benchmark.Timer`, which warms up, synchronises CUDA and repeats
    until ``min_run_time`` seconds have passed.
    """
    if not callable(fn):
        raise TypeError(
            f"time_function needs a callable taking no arguments, got {type(fn).__name__}"
        )
    if min_run_time <= 0:
        raise ValueError(f"min_run_time must be positive, got {min_run_time}")
    synchronize(device)
    timer = tbench.Timer(
        stmt="fn()",
        globals={"fn": fn},
        num_threads=num_threads or torch.get_num_threads(),
    )
    measurement = timer.blocked_autorange(min_run_time=min_run_time)
    synchronize(device)
    return float(measurement.median)


class Stopwatch:
    """``with Stopwatch(device) as sw: ...; sw.seconds`` -- one synchronised interval."""

    def __init__(self, device: torch.device | str | None = None):
        self.device = device
        self.seconds = float("nan")

    def __enter__(self) -> "Stopwatch":
        synchronize(self.device)
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        synchronize(self.device)
        self.seconds = time.perf_counter() - self._start
