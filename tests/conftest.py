import os
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

# Headless plots, quiet TensorFlow, and a device the suite controls.
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("CS231N_DEVICE", "cpu")
# pytest-xdist runs one notebook kernel per core: one thread each avoids oversubscription
# (small training loops run many times slower when two multi-threaded kernels share 2 cores).
os.environ.setdefault("OMP_NUM_THREADS", "1")
# Notebooks write TensorBoard runs; keep the suite's out of the repository.
if "CS231N_RUNS_DIR" not in os.environ:
    import atexit
    import shutil
    import tempfile

    os.environ["CS231N_RUNS_DIR"] = tempfile.mkdtemp(prefix="cs231n-runs-")
    # made by this process (pytest-xdist's workers inherit it): gone when the suite ends
    atexit.register(shutil.rmtree, os.environ["CS231N_RUNS_DIR"], ignore_errors=True)


def cuda_available() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


# Fixtures that start notebook kernels: a test using one is `slow` (and `notebook`) even if it
# forgot the marks, so `make test-fast` (-m "not slow") never grades a notebook.
KERNEL_FIXTURES = {"course_factory"}


@pytest.hookimpl(tryfirst=True)  # before -m "not slow" deselects
def pytest_collection_modifyitems(config, items):
    for item in items:
        if KERNEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
            item.add_marker(pytest.mark.notebook)
    if cuda_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA GPU (none on this machine)")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def course_factory(tmp_path_factory):
    """Course directories with one source notebook each and its generated release, cached
    per notebook for the session (per xdist worker)."""
    from autograder.course import Course

    cache = {}

    def make(notebook: str):
        if notebook not in cache:
            root = tmp_path_factory.mktemp(f"course-{notebook}")
            course = Course.create(root, [notebook])
            course.generate_release()
            cache[notebook] = course
        return cache[notebook]

    return make
