"""The set-up every course notebook runs in its first code cell.

``setup_notebook()`` makes a notebook behave the same for a student, under plain nbgrader
and under the course autograder:

- Python warnings (a deprecation from ``torch.jit``, a UserWarning of the student's own) are
  still shown, but on standard output. Stock nbgrader gives 0 points to a test cell that writes
  anything to stderr, so a correct answer must not lose its points to a library's warning.
- ``torch.utils.tensorboard`` uses TensorBoard's built-in stub instead of importing TensorFlow
  (+3 s, +550 MB and log lines when TensorFlow is installed). Only 08_tf2_gradienttape, which
  passes ``tensorflow=True``, ever imports TensorFlow.
- TensorFlow's C++ log lines are silenced before TensorFlow is imported, and torch's own
  loggers report errors only.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
import types
import warnings

_SETUP_DONE_ATTR = "_cs231n_setup"
_NOTF = "tensorboard.compat.notf"


def _show_on_stdout(message, category, filename, lineno, file=None, line=None):
    """A ``warnings.showwarning`` that writes to the current ``sys.stdout``."""
    text = warnings.formatwarning(message, category, filename, lineno, line)
    try:
        sys.stdout.write(text)
    except (AttributeError, ValueError):  # stdout closed or missing: drop, never crash
        pass


def warnings_to_stdout() -> None:
    """Show Python warnings on stdout instead of stderr (see the module docstring)."""
    warnings.showwarning = _show_on_stdout
    root = logging.getLogger()
    if not any(getattr(h, _SETUP_DONE_ATTR, False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stdout)
        setattr(handler, _SETUP_DONE_ATTR, True)
        handler.setFormatter(logging.Formatter("%(levelname)s:%(name)s: %(message)s"))
        root.addHandler(handler)


def keep_tensorflow_out_of_tensorboard() -> bool:
    """Make TensorBoard use its TensorFlow stub; returns False if TensorBoard is missing.

    TensorBoard resolves ``tensorboard.compat.tf`` lazily: it imports TensorFlow unless the
    module ``tensorboard.compat.notf`` can be imported (Bazel builds of TensorBoard ship one;
    the pip wheel does not). Registering an empty module under that name is the switch
    TensorBoard itself provides. Call this before the first ``SummaryWriter`` is made.
    """
    if importlib.util.find_spec("tensorboard") is None:
        return False
    sys.modules.setdefault(_NOTF, types.ModuleType(_NOTF))
    return True


def quiet_tensorflow_logs() -> None:
    """Silence TensorFlow's C++ log lines and oneDNN notice; call before ``import tensorflow``."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


def quiet_torch_logs() -> None:
    """Only errors from torch's own loggers (they write to stderr through their own handlers):
    "No CUDA runtime is found" on a machine with a CUDA toolkit but no GPU, dynamo's notes."""
    import torch._logging

    torch._logging.set_logs(all=logging.ERROR)


def load_triton_first() -> bool:
    """Load Triton's native library now, before TensorFlow's; True if it is loaded.

    PyTorch imports Triton lazily: the first ``torch.optim`` optimizer or ``torch.compile`` imports
    ``torch._dynamo``, which imports ``triton``. With torch 2.14 and TensorFlow 2.21 in one
    process, loading ``libtriton`` *after* TensorFlow's libraries crashes the interpreter
    (segmentation fault, "Kernel died" in Jupyter); loaded first, both work. A no-op without Triton
    (CPU-only PyTorch builds) and once TensorFlow is already imported (too late to help).
    """
    if "tensorflow" in sys.modules or importlib.util.find_spec("triton") is None:
        return "triton._C.libtriton" in sys.modules
    try:
        importlib.import_module("triton._C.libtriton")
    except Exception:  # a broken Triton install must not stop TensorFlow from loading
        return False
    return True


def setup_notebook(*, tensorflow: bool = False) -> None:
    """Run once at the top of every notebook; ``tensorflow=True`` only in 08."""
    warnings_to_stdout()
    quiet_tensorflow_logs()
    quiet_torch_logs()
    if tensorflow:
        load_triton_first()
    else:
        keep_tensorflow_out_of_tensorboard()


def tensorboard_main(argv: list[str] | None = None) -> None:
    """Run TensorBoard's command line without TensorFlow behind it (its stub instead, see
    :func:`keep_tensorflow_out_of_tensorboard`): it starts in seconds rather than after importing
    TensorFlow. ``python -m cs231n_tools.notebook --logdir runs`` (JupyterLab's TensorBoard tile
    runs it)."""
    keep_tensorflow_out_of_tensorboard()
    quiet_tensorflow_logs()
    from tensorboard.main import run_main

    sys.argv = ["tensorboard", *(sys.argv[1:] if argv is None else argv)]
    run_main()


if __name__ == "__main__":
    tensorboard_main()
