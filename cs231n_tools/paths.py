"""Where the course keeps data, weights and logs.

Paths resolve from the package, never from the working directory, so a notebook finds the
same files whether it runs in ``notebooks/``, a grader's scratch copy or a student bundle.

- ``data_dir()``: ``$CS231N_DATA_DIR`` if set, else ``<repository>/data``.
- ``runs_dir()``: ``$CS231N_RUNS_DIR`` if set, else ``<repository>/runs`` (TensorBoard logs).
- ``run_dir(*names)``: one run's folder ``runs_dir()/<names...>``, emptied first: running a cell
  again replaces its run, so TensorBoard's run list does not grow by one folder per run.

``<repository>`` is the folder that holds the ``cs231n_tools`` package (a clone of the course
or a student bundle); where that is not writable (an installed copy), ``~/.cache/cs231n``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
CACHE_ROOT = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "cs231n"


def _root() -> Path:
    if (REPO_ROOT / "data").is_dir() or os.access(REPO_ROOT, os.W_OK):
        return REPO_ROOT
    return CACHE_ROOT


def data_dir() -> Path:
    """Folder of the course's data sets (created if needed)."""
    path = Path(os.environ.get("CS231N_DATA_DIR") or _root() / "data")
    path.mkdir(parents=True, exist_ok=True)
    return path


def runs_dir() -> Path:
    """Folder for TensorBoard logs (created if needed)."""
    path = Path(os.environ.get("CS231N_RUNS_DIR") or _root() / "runs")
    path.mkdir(parents=True, exist_ok=True)
    return path


def run_dir(*names: str, clear: bool = True) -> Path:
    """The folder of one TensorBoard run, ``runs_dir()/names[0]/names[1]/...`` (created).

    The name is stable (``run_dir("04_modules", "sgd")``, not a time stamp), and with ``clear``
    (the default) what an earlier run of the same name left there is deleted first, so TensorBoard
    shows each run once, with the latest curves. Names are single folder names: no ``..``, no
    separators, nothing outside :func:`runs_dir`.
    """
    if not names:
        raise ValueError("run_dir needs at least one name, e.g. run_dir('04_modules', 'sgd')")
    for name in names:
        if not name or name in (".", "..") or "/" in name or os.sep in name:
            raise ValueError(f"run_dir: {name!r} is not a plain folder name")
    path = runs_dir().joinpath(*names)
    if clear and path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True, exist_ok=True)
    return path
