"""The nbgrader exchange end to end on one machine, with the real nbgrader commands, and the
feedback pages a student gets back.

Two course directories share a temporary exchange: the instructor's (laid out as
``make instructor``'s ``instructor/``) and a student's. The loop: ``release_assignment`` ->
``fetch_assignment`` -> the student answers (one answer right, one wrong that only a hidden
test catches) -> ``submit`` -> ``collect`` -> the course autograder grades the collected
submissions -> ``generate_feedback`` -> ``release_feedback`` -> ``fetch_feedback``. The page the
student fetches says "hidden test failed" with the test's message, shows no hidden code and
renders its math without a network (MathML, no MathJax script).
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.course import (
    ASSIGNMENT,
    COURSE_ID,
    collect_feedback,
    feedback_config,
    prepare_instructor_course,
)
from autograder.preprocessors.redact_hidden_tests import (
    HIDDEN_FAILED,
    VISIBLE_FAILED,
    RedactHiddenTests,
    failing_line,
)
from autograder.preprocessors.render_math import render_math

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
FIXTURE = ROOT / "tests" / "autograder" / "fixtures" / "course" / "01_square.ipynb"
NOTEBOOK = "01_square"
MATH = "The square of $x$ is $$y = x^2 .$$"
WRONG_DOUBLE = '''def double(x):
    """Twice x."""
    return x + 1.0  # right for ones only: the visible test passes, a hidden one fails
'''
RIGHT_SQUARE = '''def square(x):
    """Elementwise square of a tensor."""
    return x ** 2
'''
HIDDEN_MESSAGE = "double is wrong on float64"
HIDDEN_CODE = "z = torch.randn(7, dtype=torch.float64)"


def nbgrader(*args, cwd: Path):
    env = dict(
        os.environ,
        PATH=os.pathsep.join([str(BIN), os.environ["PATH"]]),
        JUPYTER_CONFIG_DIR=str(cwd / ".jupyter"),
        JUPYTER_DATA_DIR=str(cwd / ".data"),
    )
    env.pop("JUPYTER_CONFIG_PATH", None)
    result = subprocess.run(
        [str(BIN / "nbgrader"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, (
        f"nbgrader {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    )
    return result.stdout + result.stderr


def source_notebook():
    nb = nbformat.read(FIXTURE, as_version=4)
    nb.cells.insert(1, nbformat.v4.new_markdown_cell(MATH))
    return nb


def answer(nb):
    """The student's work: ``square`` right, ``double`` wrong where only a hidden test looks."""
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id == "square":
            cell.source = RIGHT_SQUARE
        elif grade_id == "double":
            cell.source = WRONG_DOUBLE
    return nb


@pytest.fixture
def courses(tmp_path):
    """The instructor's course directory and the student's, sharing ``tmp/exchange``."""
    instructor = prepare_instructor_course(tmp_path / "instructor", sources=tmp_path / "sources")
    (tmp_path / "sources").mkdir()
    nbformat.write(source_notebook(), tmp_path / "sources" / f"{NOTEBOOK}.ipynb")
    exchange = tmp_path / "exchange"
    exchange.mkdir(mode=0o777)
    (instructor / "nbgrader_config.py").write_text(
        "from autograder.course import instructor_config\n"
        "c = get_config()  # noqa: F821\n"
        f"instructor_config(c, {str(instructor)!r})\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
    )
    student = tmp_path / "student"
    student.mkdir()
    (student / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
        f"c.Exchange.cache = {str(student / '.cache')!r}\n"
        f"c.Exchange.assignment_dir = {str(student)!r}\n"
    )
    return instructor, student


@pytest.mark.slow
@pytest.mark.notebook
def test_release_fetch_submit_collect_grade_and_feedback(courses, tmp_path):
    from nbgrader.utils import get_username

    instructor, student = courses
    alice = get_username()  # nbgrader submits under the Unix user's name
    # instructor: student version, then release it to the exchange
    nbgrader("generate_assignment", ASSIGNMENT, "--force", cwd=instructor)
    nbgrader("release_assignment", ASSIGNMENT, cwd=instructor)
    # student: fetch, answer, submit
    out = nbgrader("list", cwd=student)
    assert f"{COURSE_ID} {ASSIGNMENT}" in out
    nbgrader("fetch_assignment", ASSIGNMENT, cwd=student)
    fetched = student / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    nb = nbformat.read(fetched, as_version=4)
    assert "BEGIN HIDDEN TESTS" not in nbformat.writes(nb) and HIDDEN_CODE not in nbformat.writes(
        nb
    )
    nbformat.write(answer(nb), fetched)
    nbgrader("submit", ASSIGNMENT, cwd=student)
    # instructor: collect, then grade with the course autograder
    nbgrader("collect", ASSIGNMENT, cwd=instructor)
    collected = instructor / "submitted" / alice / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    assert collected.exists()
    grading = instructor / "grading"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "autograder",
            "autograde",
            str(instructor / "submitted"),
            "--out",
            str(grading),
            "--source",
            str(instructor / "source" / ASSIGNMENT),
            "--workers",
            "1",
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=dict(os.environ, PATH=os.pathsep.join([str(BIN), os.environ["PATH"]])),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    with (grading / "grades.csv").open() as fh:
        rows = {(r["student"], r["notebook"]): r for r in csv.DictReader(fh)}
    row = rows[(alice, NOTEBOOK)]
    assert (
        row["status"] == "graded" and float(row["score"]) == 2 and float(row["max_score"]) == 3
    ), row
    graded_page = grading / "feedback" / alice / ASSIGNMENT / f"{NOTEBOOK}.html"
    assert (
        HIDDEN_FAILED.format(error=f"AssertionError: {HIDDEN_MESSAGE}") in graded_page.read_text()
    )
    # nbgrader's generate_feedback on the grading folder (an nbgrader course directory)
    nbgrader("generate_feedback", ASSIGNMENT, "--force", cwd=grading)
    assert collect_feedback(grading, instructor) == [
        instructor / "feedback" / alice / ASSIGNMENT / f"{NOTEBOOK}.html"
    ]
    nbgrader("release_feedback", ASSIGNMENT, cwd=instructor)
    # student: fetch the feedback
    nbgrader("fetch_feedback", ASSIGNMENT, cwd=student)
    pages = list((student / ASSIGNMENT / "feedback").glob(f"*/{NOTEBOOK}.html"))
    assert len(pages) == 1, list((student / ASSIGNMENT).rglob("*"))
    page = pages[0].read_text()
    assert HIDDEN_FAILED.format(error=f"AssertionError: {HIDDEN_MESSAGE}") in page
    assert "BEGIN HIDDEN TESTS" not in page and "torch.randn(7" not in page
    assert "<math" in page and "$x$" not in page  # math as MathML
    assert "MathJax.js" not in page and "latest.js" not in page and "cdnjs" not in page  # no CDN


# -- the parts, without nbgrader commands ----------------------------------------------------------
TRACEBACK = [
    "\x1b[0;31m---------------------------------------------------------------------------\x1b[0m",
    "\x1b[0;31mAssertionError\x1b[0m                            Traceback (most recent call last)",
    "Cell \x1b[0;32mIn[7], line 4\x1b[0m\n\x1b[1;32m      2\x1b[0m x \x1b[38;5;241m=\x1b[39m 1\n"
    "\x1b[1;32m      3\x1b[0m \x1b[38;5;66;03m### BEGIN HIDDEN TESTS\x1b[39;00m\n"
    "\x1b[0;32m----> 4\x1b[0m \x1b[38;5;28;01massert\x1b[39;00m x \x1b[38;5;241m==\x1b[39m \x1b[38;5;241m2\x1b[39m, "
    '\x1b[38;5;124m"\x1b[39m\x1b[38;5;124mx should be 2\x1b[39m\x1b[38;5;124m"\x1b[39m\n',
    "\x1b[0;31mAssertionError\x1b[0m: x should be 2",
]
CELL = "assert True, 'visible'\nx = 1\n### BEGIN HIDDEN TESTS\nassert x == 2, \"x should be 2\"\n### END HIDDEN TESTS"


def test_failing_line_reads_the_cell_frame():
    assert failing_line(TRACEBACK) == (4, 'assert x == 2, "x should be 2"')
    assert failing_line(["NotRun: not run: the notebook reached its time limit"]) is None


@pytest.mark.parametrize("cleared_first", [False, True])
def test_redact_says_hidden_test_failed(cleared_first):
    error = {
        "output_type": "error",
        "ename": "AssertionError",
        "evalue": "x should be 2",
        "traceback": TRACEBACK,
    }
    source = CELL
    if cleared_first:  # ClearHiddenTests ran before: the hidden lines are gone
        source = "assert True, 'visible'\nx = 1"
    msg = RedactHiddenTests().message(source, error)
    assert msg == HIDDEN_FAILED.format(error="AssertionError: x should be 2")
    assert "hidden test failed" in msg


def test_redact_visible_failure_and_missing_message():
    tb = [t.replace("----> 4", "----> 1").replace("x should be 2", "") for t in TRACEBACK]
    tb[2] = "Cell In[7], line 1\n----> 1 assert True, 'visible'\n"
    error = {"ename": "AssertionError", "evalue": "", "traceback": tb}
    msg = RedactHiddenTests().message(CELL, error)
    assert msg == VISIBLE_FAILED.format(error="AssertionError: (no message)")


def test_render_math_leaves_code_and_prices_alone():
    html = render_math(
        "It costs $5 and $6. Inline $a^2$, `code $x$`, and\n\n$$\\sum_i x_i$$\n\n```\n$y$\n```"
    )
    assert (
        html.count("<math") == 2
        and "$5 and $6" in html
        and "`code $x$`" in html
        and "\n$y$\n" in html
    )
    assert 'display="block"' in html


def test_feedback_config_is_the_course_pipeline():
    from traitlets.config import Config

    c = Config()
    feedback_config(c)
    names = [p if isinstance(p, str) else p.__name__ for p in c.GenerateFeedback.preprocessors]
    assert names.index("autograder.preprocessors.RedactHiddenTests") < names.index(
        "nbgrader.preprocessors.ClearHiddenTests"
    )
    assert c.FeedbackExporter.template_name == "cs231n_feedback"
    assert "template_name" not in c.HTMLExporter  # Formgrader's own exporter keeps "formgrade"


def test_report_links_feedback_and_names_missing_protections(tmp_path):
    """The class report: a per-student table linking each feedback page, what to hand back,
    whole-number histogram counts and, for a cluster run, which protection each worker lacks."""
    import json

    from autograder.report import HAND_BACK, build_report

    out = tmp_path / "grading"
    out.mkdir()
    (out / "grades.csv").write_text(
        "student,notebook,score,max_score,status,detail\n"
        "alice,01_square,2,3,graded,\nbob,01_square,3,3,graded,\nbob,02_mean,0,2,timeout,ran too long\n"
    )
    (out / "tests.csv").write_text(
        "student,notebook,test,score,max_score\n"
        "alice,01_square,test_square_with_a_rather_long_descriptive_name,2,2\nalice,01_square,test_double,0,1\n"
        "bob,01_square,test_square_with_a_rather_long_descriptive_name,2,2\nbob,01_square,test_double,1,1\n"
    )
    (out / "run.json").write_text(
        json.dumps(
            {
                "protections": {"network": True},
                "workers": {
                    "node-a": {"sandboxed": True, "missing": []},
                    "node-b": {"sandboxed": False, "missing": ["filesystem", "network"]},
                },
            }
        )
    )
    page = out / "feedback" / "alice" / ASSIGNMENT
    page.mkdir(parents=True)
    (page / "01_square.html").write_text("<html>feedback</html>")
    html = build_report(out).read_text()
    assert HAND_BACK in html
    assert "<a href='../feedback/alice/notebooks/01_square.html'>2 / 3</a>" in html
    assert "<td>3 / 5</td>" in html and "<td>2 / 3</td>" in html  # totals (bob: 3/3 + 0/2)
    assert (
        "node-b: missing reads only its own copy" in html
        and "no network" in html.split("node-b")[1]
    )
    assert "node-a: every protection enforced" in html
    assert (out / "report" / "tests.png").stat().st_size > 1000
