"""The grading benchmark's figures and tables (benchmarks/grading.py), on made-up jobs: what is
overhead, how a run's wall time is shared out per notebook, the ceiling, the JSON. No timing
is asserted here: the speed itself is the benchmark's to measure, not the tests'."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURE_COURSE = REPO / "tests" / "autograder" / "fixtures" / "course"


def _load():
    spec = importlib.util.spec_from_file_location(
        "benchmark_grading", REPO / "benchmarks" / "grading.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


bench = _load()


def job(student, notebook, wall, cells, start=0.5, phases=None, status="graded", score=1.0):
    return {
        "student": student,
        "notebook": notebook,
        "status": status,
        "score": score,
        "wall_s": wall,
        "cells_s": cells,
        "kernel_start_s": start,
        "phases": {"prepare": 0.1, "autograde": start + cells + 0.2, "feedback": 0.3}
        if phases is None
        else phases,
    }


def stock_row(student, notebook, convert, cells, start=1.0, score=1.0):
    return {
        "student": student,
        "notebook": notebook,
        "convert_s": convert,
        "cells_s": cells,
        "kernel_start_s": start,
        "score": score,
    }


def a_class():
    """Two students, two notebooks: a graded with 1 s and 3 s of cells, each job 1.2 s more."""
    rows = [
        job("s0", "a", 2.2, 1.0),
        job("s1", "a", 2.2, 1.0),
        job("s0", "b", 4.2, 3.0),
        job("s1", "b", 4.2, 3.0),
    ]
    stock = [
        stock_row("s0", "a", 2.5, 1.0),
        stock_row("s0", "b", 4.5, 3.0),
        stock_row("s1", "a", 2.5, 1.0),
        stock_row("s1", "b", 4.5, 3.0),
    ]
    runs = {
        bench.W1: bench.summarize_ours(rows, 13.0, 1),
        bench.W2: bench.summarize_ours(rows, 7.0, 2),
        bench.STOCK: {**bench.summarize_stock(stock, 16.0, 4), "scores": {}},
    }
    bench.compare(runs)
    return runs


def test_overhead_is_the_job_outside_its_cells_split_by_phase():
    parts = bench.overhead_parts(job("s0", "a", 2.2, 1.0))
    assert list(parts) == ["prepare", "kernel_start", "nbgrader", "feedback", "rest"]
    assert parts["kernel_start"] == pytest.approx(0.5)
    assert parts["nbgrader"] == pytest.approx(0.2)  # the autograde phase less start and cells
    assert parts["rest"] == pytest.approx(0.1)  # 2.2 - 1.0 - (0.1 + 0.5 + 0.2 + 0.3)
    assert sum(parts.values()) == pytest.approx(2.2 - 1.0)


def test_a_phase_the_older_grader_lacks_or_a_new_one_is_tolerated():
    old = job("s0", "a", 2.0, 1.0, phases={})
    assert bench.overhead_parts(old) == {"kernel_start": 0.5, "rest": pytest.approx(0.5)}
    new = job("s0", "a", 2.0, 1.0, phases={"prepare": 0.1, "autograde": 1.6, "publish": 0.2})
    assert list(bench.overhead_parts(new)) == [
        "prepare",
        "kernel_start",
        "nbgrader",
        "publish",
        "rest",
    ]
    unrecorded = {**old, "cells_s": None, "kernel_start_s": None}
    assert bench.overhead_parts(unrecorded) is None


def test_per_notebook_rows_share_out_the_wall_time_and_average_to_the_class():
    w2 = a_class()[bench.W2]
    a, b = w2["per_notebook"]["a"], w2["per_notebook"]["b"]
    # 7 s shared in proportion to the jobs' 2.2 and 4.2 s
    assert a["s_per_notebook"] == pytest.approx(7.0 * 2.2 / 12.8)
    assert b["s_per_notebook"] == pytest.approx(7.0 * 4.2 / 12.8)
    assert (a["s_per_notebook"] + b["s_per_notebook"]) / 2 == pytest.approx(w2["s_per_notebook"])
    assert a["overhead_s"] == pytest.approx(1.2) and b["overhead_s"] == pytest.approx(1.2)
    assert w2["overhead_phases"]["feedback"] == pytest.approx(0.3)


def test_the_ceiling_is_the_cells_split_over_the_workers():
    runs = a_class()
    w1, w2, stock = runs[bench.W1], runs[bench.W2], runs[bench.STOCK]
    assert w1["ceiling"]["s_per_notebook"] == pytest.approx(2.0)  # (1 + 1 + 3 + 3) / 4
    assert w2["ceiling"]["s_per_notebook"] == pytest.approx(1.0)
    assert w2["ceiling"]["distance_s"] == pytest.approx(7.0 / 4 - 1.0)
    assert w2["ceiling"]["reached"] == pytest.approx(1.0 / 1.75)
    assert w2["ceiling"]["speedup_vs_stock"] == pytest.approx(4.0 / 1.0)
    assert w2["per_notebook"]["b"]["ceiling_s"] == pytest.approx(1.5)
    assert stock["ceiling"]["s_per_notebook"] == pytest.approx(2.0)
    assert stock["setup_s"] == pytest.approx((16.0 - 14.0) / 4)


def test_speed_ups_over_stock_per_notebook_and_for_the_class():
    runs = a_class()
    w2, stock = runs[bench.W2], runs[bench.STOCK]
    assert w2["speedup_vs_stock"] == pytest.approx(4.0 / 1.75)
    for nb in ("a", "b"):
        fig = w2["per_notebook"][nb]
        ref = stock["per_notebook"][nb]["s_per_notebook"]
        assert fig["speedup_vs_stock"] == pytest.approx(ref / fig["s_per_notebook"])
        assert fig["cells_vs_plain"] == pytest.approx(1.0)


def test_the_report_has_a_row_per_notebook_and_the_overhead_target():
    text = bench.format_report(a_class())
    for heading in ("s/notebook", "ceiling", "per notebook", "inside one job", "cells per"):
        assert heading in text
    rows = [ln for ln in text.splitlines() if ln.startswith(("a ", "b ", "all "))]
    assert len(rows) == 3 * 4  # the per-notebook, two overhead and the cells tables
    assert "overhead <= 0.3 s in 0 of 2 notebooks (all: 1.20 s)" in text
    assert "2.29x" in text  # workers 2's class speed-up: 4.00 / 1.75


def test_figures_an_older_grader_does_not_record_print_as_dashes():
    rows = [
        {**job("s0", "a", 2.0, None, start=None, phases={}), "cells_s": None},
        job("s1", "a", 0.1, None, status="invalid_notebook", phases={}),
    ]
    runs = {bench.W1: bench.summarize_ours(rows, 2.5, 1)}
    text = bench.format_report(runs)
    assert "overhead <= 0.3 s in 0 of 0 notebooks (all: - s)" in text
    assert runs[bench.W1]["per_notebook"]["a"]["statuses"] == {"graded": 1, "invalid_notebook": 1}


def test_json_keeps_the_earlier_keys_and_every_new_figure():
    data = json.loads(bench.to_json(a_class(), {"repo": "/somewhere", "students": 2}))
    w2 = data[bench.W2]
    for key in ("wall_s", "n", "statuses", "job_s", "cells_s", "kernel_start_s", "phases"):
        assert key in w2
    assert set(w2["phases"]) == {"prepare", "autograde", "feedback"}
    assert "scores" not in w2
    assert set(w2["per_notebook"]) == {"a", "b"}
    assert w2["ceiling"]["workers"] == 2
    assert len(w2["jobs"]) == 4
    assert data["benchmark"]["repo"] == "/somewhere"


@pytest.mark.slow
def test_stock_nbgrader_is_timed_per_notebook_and_left_as_it_was(tmp_path):
    """Stock nbgrader on the fixture course, timed notebook by notebook by wrapping its own
    methods, which are put back afterwards."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute

    before = (Autograde.convert_single_notebook, Execute.preprocess, Execute.preprocess_cell)
    names = ["01_square", "02_mean"]
    subs, _ = bench.build_class(tmp_path, FIXTURE_COURSE, names, 1)
    stock = bench.run_stock(subs, tmp_path, FIXTURE_COURSE, names)
    assert (Autograde.convert_single_notebook, Execute.preprocess, Execute.preprocess_cell) == (
        before
    )
    assert [(r["student"], r["notebook"]) for r in stock["jobs"]] == [
        ("student00", "01_square"),
        ("student00", "02_mean"),
    ]
    for row in stock["jobs"]:
        assert 0 < row["kernel_start_s"] and 0 < row["cells_s"]
        assert row["kernel_start_s"] + row["cells_s"] < row["convert_s"]
        assert row["score"] == stock["scores"][(row["student"], row["notebook"])]
    assert sum(r["convert_s"] for r in stock["jobs"]) < stock["wall_s"]


def test_compare_puts_two_json_files_side_by_side(tmp_path):
    before = a_class()
    after = a_class()
    # after: the feedback page off the job's path (0.3 s less per job), 5 s for the class
    rows = [
        job(s, nb, wall, cells, phases={"prepare": 0.1, "autograde": cells + 0.7, "feedback": 0})
        for s in ("s0", "s1")
        for nb, wall, cells in (("a", 1.9, 1.0), ("b", 3.9, 3.0))
    ]
    after[bench.W2] = bench.summarize_ours(rows, 5.0, 2)
    bench.compare(after)
    paths = []
    for name, runs in (("before", before), ("after", after)):
        path = tmp_path / f"{name}.json"
        path.write_text(
            bench.to_json(runs, {"repo": f"/{name}", "students": 2, "notebooks": ["a", "b"]})
        )
        paths.append(str(path))
    assert bench.main(["--compare", *paths]) == 0
    text = bench.format_comparison(*(json.loads(Path(p).read_text()) for p in paths))
    assert "before: /before (2 students x 2 notebooks" in text
    w2 = next(ln for ln in text.splitlines() if ln.startswith(bench.W2))
    assert "1.75 -> 1.25" in w2  # s/notebook: 7 s, then 5 s, for 4 notebooks
    assert "2.29x -> 3.20x" in w2
    assert "1.20 -> 0.90" in w2  # overhead per job
    feedback = next(ln for ln in text.splitlines() if ln.startswith("feedback"))
    assert feedback.split()[-3:] == ["0.30", "->", "0.00"]  # w2's column, the last
    rest = next(ln for ln in text.splitlines() if ln.startswith("rest"))
    assert rest.split()[-3:] == ["0.10", "->", "0.10"]
