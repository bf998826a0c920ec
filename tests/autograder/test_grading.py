"""The autograde command on the fixture course: fair scores, gradebook and feedback, reruns,
interruptions, the executor interface, check and report."""

from __future__ import annotations

import concurrent.futures as cf
import html as html_mod
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from grading_helpers import FIXTURE_BYTES, FIXTURE_COURSE, grade, put, source, with_solution

from autograder import grade as grade_mod
from autograder.cli import main
from autograder.course import REPO_ROOT, Course
from autograder.results import GRADES_HEADER, read_grades

NOISY_MEAN = '''import sys, warnings

def safe_mean(x):
    """Correct, but talks on stderr and warns on the way."""
    print("computing a mean", file=sys.stderr)
    warnings.warn("a UserWarning of my own", UserWarning)
    warnings.showwarning = warnings._showwarning_orig  # undo setup_notebook: warnings to stderr
    warnings.warn("and one on stderr", DeprecationWarning)
    if x.numel() == 0:
        return torch.tensor(0.0)
    return x.mean()
'''
BROKEN_MEAN = "def safe_mean(x):\n    raise ValueError('not done')\n"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """One class graded through an executor we pass in (any concurrent.futures.Executor whose
    jobs run in separate processes: nbgrader changes the working directory)."""
    root = tmp_path_factory.mktemp("grading")
    subs = root / "subs"
    put(subs, "alice", "01_square", source())
    put(subs, "alice", "02_mean", with_solution(source("02_mean"), "safe_mean", NOISY_MEAN))
    put(subs, "bob", "02_mean", with_solution(source("02_mean"), "safe_mean", BROKEN_MEAN))
    renamed = with_solution(
        source(), "double", "def double(x):\n    return x + 1  # right for ones only\n"
    )
    renamed.cells.reverse()  # and in a scrambled order
    put(subs, "dave", "01_Square (1)", renamed)
    with cf.ProcessPoolExecutor(max_workers=2) as pool:
        results = grade(subs, root / "out", executor=pool)
    return {"root": root, "subs": subs, "out": root / "out", "results": results}


@pytest.mark.slow
def test_warnings_and_stderr_keep_full_marks_errors_score_zero(run):
    assert run["results"][("alice", "02_mean")].score == 2
    assert run["results"][("alice", "02_mean")].status == "graded"
    assert run["results"][("bob", "02_mean")].score == 0


@pytest.mark.slow
def test_renamed_and_reordered_notebook_is_graded_against_source(run):
    res = run["results"][("dave", "01_square")]
    assert res.status == "graded"
    assert res.tests == {"test_square": [2.0, 2.0], "test_double": [0.0, 1.0]}
    assert grade_mod.RENAMED.format(name="01_Square (1).ipynb", notebook="01_square") in res.detail
    assert "cells were reordered" in res.detail


@pytest.mark.slow
def test_outputs_csv_gradebook_and_feedback(run):
    out = run["out"]
    assert (out / "grades.csv").read_text().splitlines()[0] == ",".join(GRADES_HEADER)
    rows = {(r["student"], r["notebook"]): r for r in read_grades(out)}
    assert (
        rows[("alice", "01_square")]["score"] == "3"
        and rows[("alice", "01_square")]["status"] == "graded"
    )
    assert (out / "tests.csv").read_text().splitlines()[
        0
    ] == "student,notebook,test,score,max_score"
    grades = Course(out).grades("alice")  # nbgrader's own gradebook
    assert grades["01_square"].score == 3 and grades["02_mean"].score == 2
    hidden = hidden_lines()
    for page in (out / "feedback").rglob("*.html"):
        text = as_text(page)
        assert "BEGIN HIDDEN" not in text
        assert [h for h in hidden if h in text] == [], page


def hidden_lines() -> list[str]:
    lines = []
    for path in FIXTURE_COURSE.glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            inside = False
            for line in cell.source.splitlines():
                s = line.strip()
                inside = (inside or s == "### BEGIN HIDDEN TESTS") and s != "### END HIDDEN TESTS"
                if inside and not s.startswith("#") and len(s) > 12:
                    lines.append(s)
    assert lines
    return lines


def as_text(page: Path) -> str:
    return html_mod.unescape(re.sub(r"<[^>]+>", "", page.read_text()))


@pytest.mark.slow
def test_feedback_hides_hidden_tests_even_when_they_fail(run):
    text = as_text(run["out"] / "feedback" / "dave" / "notebooks" / "01_square.html")
    assert "double is wrong on float64" in text  # the assertion message is for the student
    assert [h for h in hidden_lines() if h in text] == []
    assert "Traceback (most recent call last)" not in text and "----> " not in text


@pytest.mark.slow
def test_rerun_skips_graded_and_force_regrades(run, tmp_path):
    out, subs = run["out"], run["subs"]
    path = out / "results" / "alice" / "01_square.json"
    before = path.stat().st_mtime_ns
    again = grade(subs, out)  # nothing to grade: no job runs (how fast is benchmarks/' job)
    assert path.stat().st_mtime_ns == before and len(again) == 4
    forced = grade(subs, out, force=True, workers=2)
    assert path.stat().st_mtime_ns != before
    assert {k: r.score for k, r in forced.items()} == {
        k: r.score for k, r in run["results"].items()
    }


@pytest.mark.slow
def test_interrupted_run_keeps_what_was_graded(tmp_path):
    subs = tmp_path / "subs"
    for student in ("s1", "s2", "s3"):
        put(subs, student, "01_square", source())
    out = tmp_path / "out"
    cmd = [
        sys.executable,
        "-m",
        "autograder",
        "autograde",
        str(subs),
        "--out",
        str(out),
        "--workers",
        "1",
        "--source",
        str(FIXTURE_COURSE),
        "--no-progress",
        "--cell-timeout",
        "20",
    ]
    proc = subprocess.Popen(
        cmd, cwd=REPO_ROOT, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and not list((out / "results").rglob("*.json")):
        time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGINT)
    text = proc.communicate(timeout=120)[0].decode()
    assert proc.returncode == 130, text
    done = {p.parent.name: p.stat().st_mtime_ns for p in (out / "results").rglob("*.json")}
    assert 1 <= len(done) < 3
    assert {r["student"] for r in read_grades(out)} == set(done)
    finished = grade(subs, out, workers=2)
    assert len(finished) == 3 and all(r.score == 3 for r in finished.values())
    for student, mtime in done.items():
        assert (out / "results" / student / "01_square.json").stat().st_mtime_ns == mtime


@pytest.mark.slow
def test_check_prints_each_visible_test(run, released, capsys):
    full = run["subs"] / "alice" / "01_square.ipynb"
    assert main(["check", str(full)]) == 0
    text = capsys.readouterr().out
    assert "PASS      2 / 2    test_square" in text and "total 3 / 3 points" in text
    assert main(["check", str(released / "01_square.ipynb")]) == 1
    text = capsys.readouterr().out
    assert (
        "FAIL      0 / 2    test_square  (NotImplementedError" in text
        and "total 0 / 3 points" in text
    )


@pytest.mark.slow
def test_report_page(run):
    from autograder.report import build_report

    page = build_report(run["out"])
    html = page.read_text()
    assert "Scores per notebook" in html and "Hardest tests" in html
    assert "Submissions to look at (0)" in html
    assert (page.parent / "scores_01_square.png").stat().st_size > 1000
    assert (page.parent / "tests.png").exists()


@pytest.mark.skipif(grade_mod.cuda_available(), reason="a GPU is present")
def test_device_cuda_fails_up_front_without_gpu(tmp_path, capsys):
    put(tmp_path / "subs", "a", "01_square", source())
    assert (
        main(
            [
                "autograde",
                str(tmp_path / "subs"),
                "--out",
                str(tmp_path / "out"),
                "--device",
                "cuda",
                "--source",
                str(FIXTURE_COURSE),
            ]
        )
        == 2
    )
    assert grade_mod.NO_GPU.format(device="cuda") in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
@pytest.mark.gpu
def test_device_cuda_runs_kernels_on_the_gpu(tmp_path):
    nb = with_solution(
        source(), "double", "assert torch.cuda.is_available()\ndef double(x):\n    return 2 * x\n"
    )
    put(tmp_path / "subs", "a", "01_square", nb)
    res = grade(tmp_path / "subs", tmp_path / "out", device="cuda")
    assert res[("a", "01_square")].score == 3


def test_cli_help_has_examples():
    proc = subprocess.run(
        [sys.executable, "-m", "autograder", "autograde", "--help"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
    )
    assert "python -m autograder autograde submissions/ --out graded/" in proc.stdout
    assert "--workers" in proc.stdout and "--timeout" in proc.stdout


@pytest.mark.slow
def test_source_notebooks_never_modified(run):
    # compared with the bytes read when the test session started, before anything was graded
    for name, data in FIXTURE_BYTES.items():
        assert (FIXTURE_COURSE / name).read_bytes() == data, f"grading changed {name}"
        assert (run["out"] / "notebooks" / name).read_bytes() == data, f"out/notebooks/{name}"
    assert sorted(p.name for p in FIXTURE_COURSE.glob("*.ipynb")) == sorted(FIXTURE_BYTES)


@pytest.mark.slow
def test_code_that_asks_for_the_user_name_keeps_its_marks(tmp_path):
    # torch's compile caches call getpass.getuser(); the kernel's user id has no passwd entry
    nb = with_solution(
        source(),
        "double",
        "import getpass\nassert getpass.getuser()\ndef double(x):\n    return 2 * x\n",
    )
    put(tmp_path / "subs", "a", "01_square", nb)
    res = grade(tmp_path / "subs", tmp_path / "out")
    assert res[("a", "01_square")].score == 3, res[("a", "01_square")].detail
