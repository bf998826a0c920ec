"""Which device the notebooks compute on.

Taught in 01_tensors. Every notebook puts its tensors on ``get_device()``; a grader forces a
device with the environment variable ``CS231N_DEVICE`` (``cpu``, ``cuda``, ``cuda:1``, ``mps``
or ``auto``, the default). ``auto`` takes an NVIDIA GPU (CUDA) if there is one, else Apple's GPU
(``mps``, Metal Performance Shaders, on a Mac with Apple silicon), else the CPU.
"""

from __future__ import annotations

import os

import torch

ENV_VAR = "CS231N_DEVICE"
CUDA_MISSING = (
    "{var}={value!r} asks for a CUDA GPU, but torch.cuda.is_available() is False on this "
    "machine. Unset {var} (or set it to 'auto' or 'cpu') to run on the CPU."
)
MPS_MISSING = (
    "{var}={value!r} asks for Apple's GPU (mps), but torch.backends.mps.is_available() is False "
    "on this machine (it needs a Mac with Apple silicon, macOS 12.3 or later, and a torch build "
    "with MPS). Unset {var} (or set it to 'auto' or 'cpu') to run on the CPU."
)
BAD_VALUE = "{var}={value!r} is not understood: use 'cpu', 'cuda', 'cuda:N', 'mps' or 'auto'."


class DeviceUnavailableError(RuntimeError):
    """The device that was asked for is not present on this machine."""


def num_gpus() -> int:
    """Number of CUDA GPUs torch can see (0 on a CPU-only machine or a Mac)."""
    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def mps_available() -> bool:
    """Whether Apple's GPU (``mps``) can be used: a Mac with Apple silicon and a torch built for it."""
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def try_gpu(i: int = 0) -> torch.device:
    """``cuda:i`` if that GPU exists, else Apple's GPU for ``i == 0`` on a Mac that has one,
    else the CPU (d2l's ``try_gpu``)."""
    if num_gpus() >= i + 1:
        return torch.device(f"cuda:{i}")
    if i == 0 and num_gpus() == 0 and mps_available():
        return torch.device("mps")
    return torch.device("cpu")


def try_all_gpus() -> list[torch.device]:
    """Every CUDA GPU; else ``[mps]`` on a Mac with Apple's GPU; else ``[cpu]``."""
    gpus = [torch.device(f"cuda:{i}") for i in range(num_gpus())]
    if not gpus and mps_available():
        gpus = [torch.device("mps")]
    return gpus or [torch.device("cpu")]


def get_device(preference: str | None = None) -> torch.device:
    """The device to use: ``preference``, else ``$CS231N_DEVICE``, else ``auto``.

    ``auto`` picks the first CUDA GPU, else Apple's GPU (``mps``), else the CPU. Asking for
    ``cuda`` or ``mps`` on a machine without one raises :class:`DeviceUnavailableError` rather
    than silently falling back, so a grader who forces the GPU knows it is really used.
    """
    value = preference if preference is not None else os.environ.get(ENV_VAR, "auto")
    value = (value or "auto").strip().lower()
    if value == "auto":
        return try_gpu()
    if value == "cpu":
        return torch.device("cpu")
    if value in ("mps", "mps:0"):
        if not mps_available():
            raise DeviceUnavailableError(MPS_MISSING.format(var=ENV_VAR, value=value))
        return torch.device("mps")
    if value == "cuda" or value.startswith("cuda:"):
        try:
            device = torch.device(value)
        except RuntimeError as exc:
            raise ValueError(BAD_VALUE.format(var=ENV_VAR, value=value)) from exc
        index = device.index or 0
        if num_gpus() <= index:
            raise DeviceUnavailableError(CUDA_MISSING.format(var=ENV_VAR, value=value))
        return torch.device(f"cuda:{index}")
    raise ValueError(BAD_VALUE.format(var=ENV_VAR, value=value))


def describe(device: torch.device) -> str:
    """A one-line human description: the GPU's name, Apple's GPU, or the CPU's thread count."""
    device = torch.device(device)
    if device.type == "cuda":
        props = torch.cuda.get_device_properties(device)
        return f"{device} ({props.name}, {props.multi_processor_count} SMs, {props.total_memory / 2**30:.0f} GiB)"
    if device.type == "mps":
        return "mps (Apple GPU, Metal Performance Shaders)"
    return f"cpu ({torch.get_num_threads()} threads)"
