"""Static checks on the committed source notebooks (fast; no kernel)."""

import re

import pytest
from notebook_harness import (
    BEGIN_HIDDEN,
    BEGIN_SOLUTION,
    END_HIDDEN,
    END_SOLUTION,
    nbgrader_meta,
    read,
)

from autograder.course import NOTEBOOKS, SOURCE_NOTEBOOKS


@pytest.fixture(params=NOTEBOOKS)
def nb(request):
    path = SOURCE_NOTEBOOKS / f"{request.param}.ipynb"
    assert path.exists(), f"missing notebook {path.name}"
    return read(path)


def test_committed_without_outputs(nb):
    dirty = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and (c.outputs or c.execution_count)
    ]
    assert not dirty, f"cells {dirty} keep outputs or execution counts"


def test_setup_and_seed_cells_come_first(nb):
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert nbgrader_meta(code[0]).get("grade_id") == "setup"
    assert "setup_notebook(" in code[0].source
    assert "import *" not in "".join(c.source for c in code)
    seed = [c for c in code if nbgrader_meta(c).get("grade_id") == "seed"]
    assert seed and "set_seed(" in seed[0].source


def test_nbgrader_metadata_is_consistent(nb):
    ids = [c.get("id") for c in nb.cells]
    assert None not in ids and len(ids) == len(set(ids)), "every cell needs a unique id"
    grade_ids = [nbgrader_meta(c)["grade_id"] for c in nb.cells if nbgrader_meta(c)]
    assert len(grade_ids) == len(set(grade_ids)), "duplicate grade_id"
    assert nb.metadata["kernelspec"]["name"] == "python3"
    hidden = 0
    for c in nb.cells:
        meta = nbgrader_meta(c)
        src = c.source
        if meta.get("solution"):
            assert src.count(BEGIN_SOLUTION) >= 1 and src.count(BEGIN_SOLUTION) == src.count(
                END_SOLUTION
            ), meta["grade_id"]
            assert not meta.get("grade")
        elif BEGIN_SOLUTION in src:
            pytest.fail(f"solution markers outside a solution cell: {meta.get('grade_id')}")
        if meta.get("grade"):
            assert meta.get("points", 0) > 0 and meta.get("locked"), meta["grade_id"]
            assert re.match(r"^test_\w+$", meta["grade_id"]), meta["grade_id"]
            hidden += src.count(BEGIN_HIDDEN)
            assert src.count(BEGIN_HIDDEN) == src.count(END_HIDDEN)
    assert hidden > 0, "a notebook needs hidden tests"


def test_only_08_imports_tensorflow(nb):
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    imports_tf = bool(re.search(r"^\s*(import tensorflow|from tensorflow)", code, re.M))
    is_08 = "setup_notebook(tensorflow=True)" in code
    assert imports_tf == is_08
