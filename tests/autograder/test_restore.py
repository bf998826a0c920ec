"""restore.rebuild: a submission is graded against the source's tests (no kernel needed)."""

from __future__ import annotations

import copy
import re

import nbformat
import pytest
from grading_helpers import FIXTURE_COURSE, source

from autograder import restore
from autograder.course import REPO_ROOT


@pytest.fixture(scope="module")
def release(released):
    return nbformat.read(released / "01_square.ipynb", as_version=4)


def gid(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def graded_ids(nb):
    return [gid(c) for c in nb.cells if gid(c)]


def test_untouched_release_needs_no_repair(release):
    nb, problems = restore.rebuild(release, source(), release)
    assert problems == []
    assert graded_ids(nb) == graded_ids(source())
    test = next(c for c in nb.cells if gid(c) == "test_square")
    assert "BEGIN HIDDEN TESTS" in test.source  # hidden tests restored for grading
    nbformat.validate(nb)


def test_deleted_test_cell_is_restored_and_named(release):
    sub = copy.deepcopy(release)
    sub.cells = [c for c in sub.cells if gid(c) != "test_square"]
    nb, problems = restore.rebuild(sub, source(), release)
    assert restore.DELETED_TEST.format(gid="test_square") in problems
    assert graded_ids(nb) == graded_ids(source())


def test_reordered_cells_are_graded_in_source_order(release):
    sub = copy.deepcopy(release)
    i = next(i for i, c in enumerate(sub.cells) if gid(c) == "test_double")
    cell = sub.cells.pop(i)
    sub.cells.insert(1, cell)  # the test moved above its exercise
    nb, problems = restore.rebuild(sub, source(), release)
    assert any(p.startswith("cells were reordered") for p in problems)
    assert graded_ids(nb) == graded_ids(source())


def test_edited_test_and_changed_metadata(release):
    sub = copy.deepcopy(release)
    for c in sub.cells:
        if gid(c) == "test_square":
            c.source = "pass  # tests removed"
        if gid(c) == "test_double":
            c.metadata.nbgrader["points"] = 100
    nb, problems = restore.rebuild(sub, source(), release)
    assert restore.EDITED_TEST.format(gid="test_square") in problems
    assert restore.METADATA_CHANGED.format(gid="test_double") in problems
    t = next(c for c in nb.cells if gid(c) == "test_double")
    assert t.metadata.nbgrader["points"] == 1


def test_duplicate_ids_last_solution_graded_copies_of_tests_ignored(release):
    sub = copy.deepcopy(release)
    sq = next(c for c in sub.cells if gid(c) == "square")
    first = copy.deepcopy(sq)
    first.source = "def square(x):\n    return None\n"
    first.id = "dup-1"
    last = copy.deepcopy(sq)
    last.source = "def square(x):\n    return x ** 2\n"
    last.id = "dup-2"
    test = copy.deepcopy(next(c for c in sub.cells if gid(c) == "test_square"))
    test.id = "dup-3"
    sub.cells += [first, last, test]
    nb, problems = restore.rebuild(sub, source(), release)
    assert any("cell id 'square' appears 3 times" in p for p in problems)
    assert any("cell id 'test_square' appears 2 times" in p for p in problems)
    solution = next(c for c in nb.cells if gid(c) == "square")
    assert "x ** 2" in solution.source
    assert graded_ids(nb) == graded_ids(source())
    assert len({c.id for c in nb.cells}) == len(nb.cells)


def test_lost_metadata_is_matched_by_cell_id(release):
    sub = copy.deepcopy(release)
    sq = next(c for c in sub.cells if gid(c) == "square")
    sq.metadata = {}
    sq.source = "def square(x):\n    return x * x\n"
    nb, problems = restore.rebuild(sub, source(), release)
    assert restore.METADATA_CHANGED.format(gid="square") in problems
    assert "x * x" in next(c for c in nb.cells if gid(c) == "square").source


def test_added_cells_keep_their_place(release):
    sub = copy.deepcopy(release)
    i = next(i for i, c in enumerate(sub.cells) if gid(c) == "square")
    sub.cells.insert(i, nbformat.v4.new_code_cell("HELPER = 1"))
    nb, _ = restore.rebuild(sub, source(), release)
    j = next(i for i, c in enumerate(nb.cells) if gid(c) == "square")
    assert nb.cells[j - 1].source == "HELPER = 1"


@pytest.mark.parametrize(
    "text,reason", [("", "empty file"), ("{oops", "not valid JSON"), ('{"a": 1}', "not a notebook")]
)
def test_unreadable_submissions(tmp_path, text, reason):
    p = tmp_path / "x.ipynb"
    p.write_text(text)
    with pytest.raises(ValueError, match=reason):
        restore.read_submission(p)


DEPTH = 200_000


@pytest.mark.parametrize(
    "text",
    [
        "[" * DEPTH + "]" * DEPTH,  # the C parser's own recursion limit
        '{"cells": [], "x": ' + "[" * DEPTH + "]" * DEPTH + "}",
        # parses, but nbformat's validator and deepcopy would exhaust the stack further on
        '{"cells": [], "metadata": {"x": ' + "[" * 900 + "]" * 900 + "}}",
        '{"cells": [], "metadata": {"x": ' + '{"a": ' * 150 + "1" + "}" * 150 + "}}",
    ],
    ids=["array", "in_object", "under_parser_limit", "objects"],
)
def test_deeply_nested_json_is_not_a_notebook(tmp_path, text):
    p = tmp_path / "deep.ipynb"
    p.write_text(text)
    with pytest.raises(ValueError, match="nested too deeply") as err:
        restore.read_submission(p)
    assert str(err.value) == restore.TOO_DEEP.format(depth=restore.MAX_DEPTH)


@pytest.mark.parametrize(
    "text,reason",
    [
        ("[1, 2]", restore.NOT_A_NOTEBOOK),
        ('"a notebook"', restore.NOT_A_NOTEBOOK),
        ("42", restore.NOT_A_NOTEBOOK),
        ("null", restore.NOT_A_NOTEBOOK),
        ('{"cells": {"0": {}}, "nbformat": 4}', restore.NOT_A_NOTEBOOK),
        ('{"cells": "code", "nbformat": 4}', restore.NOT_A_NOTEBOOK),
        ('{"cells": [1, "x"], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}', "readable"),
        ('{"cells": [], "metadata": [], "nbformat": 4, "nbformat_minor": 5}', "readable"),
        ('{"cells": [], "metadata": {}, "nbformat": "four"}', "readable"),
    ],
)
def test_valid_json_that_is_not_a_notebook(tmp_path, text, reason):
    p = tmp_path / "x.ipynb"
    p.write_text(text)
    with pytest.raises(ValueError, match=re.escape(reason)):
        restore.read_submission(p)


def test_a_real_notebook_is_not_too_deep():
    for path in sorted((REPO_ROOT / "notebooks").glob("*.ipynb")):
        assert restore.read_submission(path).cells, path.name


def test_renamed_notebook_is_matched(tmp_path):
    from autograder.grade import RENAMED, match_notebook

    names = ["01_square", "02_mean"]
    assert match_notebook(FIXTURE_COURSE / "01_square.ipynb", names, tmp_path) == (
        "01_square",
        None,
    )
    p = tmp_path / "01_square (1).ipynb"
    p.write_text("{}")
    assert match_notebook(p, names, tmp_path) == (
        "01_square",
        RENAMED.format(name=p.name, notebook="01_square"),
    )
