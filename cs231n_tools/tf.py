"""TensorFlow helpers for 08_tf2_gradienttape (and only for it).

Importing this module imports TensorFlow, so no PyTorch notebook or module may import it (d2l
keeps ``torch.py`` and ``tensorflow.py`` apart for the same reason). Before it imports TensorFlow
it silences TensorFlow's C++ log lines, like ``setup_notebook(tensorflow=True)`` does, and loads
Triton's native library (see :func:`load_triton_first`), so import it *before* ``tensorflow``.

- :func:`quiet_tensorflow`   TensorFlow / absl / autograph Python logs down to errors only
- :func:`share_gpu`          let TensorFlow and PyTorch share one GPU (memory growth)
- :func:`to_numpy64`         a TF tensor, Variable, torch tensor or array as float64 NumPy
- :func:`check_tf_tensor`    assert a TF result equals a reference, with a readable message
- :func:`graph_op_types`     the op types of a ``tf.function``'s traced graph
"""

from __future__ import annotations

import logging

import numpy as np
import torch

from cs231n_tools.checks import MISMATCH, rel_error
from cs231n_tools.notebook import load_triton_first, quiet_tensorflow_logs

quiet_tensorflow_logs()  # before TensorFlow's first import
load_triton_first()

import tensorflow as tf  # noqa: E402

#: tolerances (rtol, atol) by dtype name when a check gives none
TOLERANCES = {"float16": (1e-3, 1e-5), "float32": (1e-5, 1e-6), "float64": (1e-7, 1e-9)}


def quiet_tensorflow() -> None:
    """Only errors from TensorFlow's Python side: its logger, absl and autograph.

    TensorFlow warns through Python logging (``5 out of the last 5 calls ... triggered
    tf.function retracing``) and absl; under nbgrader a test cell that writes to stderr scores
    0, so the notebook turns these down in its setup cell. Errors still raise as usual.
    """
    tf.get_logger().setLevel(logging.ERROR)
    tf.autograph.set_verbosity(0)
    try:
        from absl import logging as absl_logging
    except ImportError:  # absl ships with TensorFlow; be safe anyway
        return
    absl_logging.set_verbosity(absl_logging.ERROR)


def share_gpu() -> list[str]:
    """Let TensorFlow grow its GPU memory instead of taking all of it up front.

    By default TensorFlow reserves almost every byte of each GPU it sees, leaving nothing for
    PyTorch in the same process. Call before TensorFlow first touches a GPU. Returns the names
    of the GPUs TensorFlow sees (``[]`` with ``tensorflow-cpu``).
    """
    gpus = tf.config.list_physical_devices("GPU")
    for gpu in gpus:
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError:  # already initialised: too late to change, and harmless
            pass
    return [gpu.name for gpu in gpus]


def to_numpy64(x) -> np.ndarray:
    """``x`` (TF tensor or Variable, torch tensor, array, number) as a float64 NumPy array."""
    if isinstance(x, (tf.Tensor, tf.Variable)):
        return np.asarray(x.numpy(), dtype=np.float64)
    if isinstance(x, torch.Tensor):
        return x.detach().to("cpu", torch.float64).numpy()
    return np.asarray(x, dtype=np.float64)


def check_tf_tensor(
    actual,
    expected,
    *,
    name: str = "result",
    dtype=None,
    rtol: float | None = None,
    atol: float | None = None,
) -> None:
    """Assert ``actual`` is a TF tensor (or Variable) of ``expected``'s shape and values.

    ``expected`` may be a torch tensor, an array or a TF tensor; values are compared in float64
    with ``|a - b| <= atol + rtol * |b|``. ``dtype`` (a ``tf.DType``), when given, is checked
    too; the default tolerances are those of ``dtype`` (float64 without one). The message names
    ``name`` and the first thing that differs.
    """
    if not isinstance(actual, (tf.Tensor, tf.Variable)):
        raise AssertionError(
            MISMATCH.format(
                name=name, what=f"expected a TensorFlow tensor, got {type(actual).__name__}"
            )
        )
    a, b = to_numpy64(actual), to_numpy64(expected)
    if a.shape != b.shape:
        raise AssertionError(
            MISMATCH.format(name=name, what=f"shape {a.shape}, expected {b.shape}")
        )
    if dtype is not None and actual.dtype != dtype:
        raise AssertionError(
            MISMATCH.format(
                name=name, what=f"dtype {actual.dtype.name}, expected {tf.as_dtype(dtype).name}"
            )
        )
    if rtol is None and atol is None:
        rtol, atol = TOLERANCES.get(
            tf.as_dtype(dtype).name if dtype is not None else "float64", TOLERANCES["float64"]
        )
    elif rtol is None or atol is None:
        raise ValueError("give both rtol and atol, or neither")
    if not np.array_equal(np.isnan(a), np.isnan(b)):
        raise AssertionError(MISMATCH.format(name=name, what="NaNs in different places"))
    ok = np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=True)
    if not ok.all():
        worst = float(np.nanmax(np.abs(a - b)))
        raise AssertionError(
            MISMATCH.format(
                name=name,
                what=f"{int((~ok).sum())} of {a.size} values differ (max abs difference {worst:.3g}, rtol={rtol:g}, atol={atol:g}); rel_error={rel_error(a, b):.3g}",
            )
        )


def graph_op_types(fn, *args, **kwargs) -> set[str]:
    """Op types (``"MatMul"``, ``"StatelessIf"``, ...) in the graph ``fn`` traces for ``args``.

    ``fn`` must be a ``tf.function``; tracing for new argument types may add a concrete function
    (a retrace), exactly as calling it would.
    """
    if not hasattr(fn, "get_concrete_function"):
        raise TypeError(f"graph_op_types needs a tf.function, got {type(fn).__name__}")
    graph = fn.get_concrete_function(*args, **kwargs).graph
    return {op.type for op in graph.get_operations()}
