"""Comparisons the notebooks and their tests share.

Every check returns or raises with a message that says what differs; none prints.
"""

from __future__ import annotations

import numpy as np
import torch

MISMATCH = "{name}: {what}"


def _to_numpy64(x) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().to("cpu", torch.float64).numpy()
    return np.asarray(x, dtype=np.float64)


def rel_error(x, y, eps: float = 1e-8) -> float:
    """Largest relative error ``|x - y| / max(eps, |x| + |y|)`` (CS231n's ``rel_error``).

    Accepts tensors on any device, NumPy arrays and Python numbers; compares in float64.
    """
    a, b = _to_numpy64(x), _to_numpy64(y)
    if a.shape != b.shape:
        raise ValueError(f"rel_error: shapes differ, {a.shape} vs {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(eps, np.abs(a) + np.abs(b))))


def check_tensor(
    actual,
    expected: torch.Tensor,
    *,
    name: str = "result",
    rtol: float | None = None,
    atol: float | None = None,
    check_dtype: bool = True,
    check_device: bool = True,
) -> None:
    """Assert ``actual`` is a tensor like ``expected``: type, shape, dtype, device, values.

    Values are compared on the CPU in float64 with ``torch.testing``'s per-dtype tolerances
    (of ``expected``'s dtype) unless ``rtol``/``atol`` are given. The AssertionError names
    ``name`` and the first thing that differs, which is what a student reads in a failing test.
    """
    if not isinstance(actual, torch.Tensor):
        raise AssertionError(
            MISMATCH.format(name=name, what=f"expected a torch.Tensor, got {type(actual).__name__}")
        )
    if tuple(actual.shape) != tuple(expected.shape):
        raise AssertionError(
            MISMATCH.format(
                name=name, what=f"shape {tuple(actual.shape)}, expected {tuple(expected.shape)}"
            )
        )
    if check_dtype and actual.dtype != expected.dtype:
        raise AssertionError(
            MISMATCH.format(name=name, what=f"dtype {actual.dtype}, expected {expected.dtype}")
        )
    if check_device and actual.device != expected.device:
        raise AssertionError(
            MISMATCH.format(name=name, what=f"device {actual.device}, expected {expected.device}")
        )
    if rtol is None and atol is None:
        rtol, atol = _default_tolerances(expected.dtype)
    elif rtol is None or atol is None:
        raise ValueError("give both rtol and atol, or neither")
    a = actual.detach().to("cpu", torch.float64)
    b = expected.detach().to("cpu", torch.float64)
    if not torch.equal(torch.isnan(a), torch.isnan(b)):
        raise AssertionError(MISMATCH.format(name=name, what="NaNs in different places"))
    ok = torch.isclose(a, b, rtol=rtol, atol=atol, equal_nan=True)
    if not bool(ok.all()):
        bad = int((~ok).sum())
        worst = float((a - b).abs().nan_to_num(0.0).max())
        raise AssertionError(
            MISMATCH.format(
                name=name,
                what=f"{bad} of {a.numel()} values differ (max abs difference {worst:.3g}, rtol={rtol:g}, atol={atol:g}); rel_error={rel_error(a, b):.3g}",
            )
        )


def _default_tolerances(dtype: torch.dtype) -> tuple[float, float]:
    return {
        torch.float16: (1e-3, 1e-5),
        torch.bfloat16: (1.6e-2, 1e-5),
        torch.float32: (1.3e-6, 1e-5),
        torch.float64: (1e-7, 1e-7),
    }.get(dtype, (0.0, 0.0))
