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


def cuda_available() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


def pytest_collection_modifyitems(config, items):
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
