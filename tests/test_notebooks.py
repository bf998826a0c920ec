"""Every course notebook, graded through stock nbgrader (generate_assignment + autograde):

- the source notebook runs top to bottom and gets full marks (and 01-07 never import TensorFlow);
- the student version holds no solution and no hidden test, runs to the end and scores 0;
- each wrong submission in tests/submissions loses points on its exercise's tests, and each
  alternative correct one keeps full marks.
"""

from __future__ import annotations

import itertools
import re

import pytest
from notebook_harness import (
    BEGIN_HIDDEN,
    BEGIN_SOLUTION,
    exercise_tests,
    graded_cells,
    read,
    solution_cells,
    solution_lines,
    truncated_after,
    variants,
    with_cells_replaced,
)

from autograder.course import NOTEBOOKS, SOURCE_NOTEBOOKS

pytestmark = [pytest.mark.notebook, pytest.mark.slow]

TF_PROBE = "import sys\nprint('TENSORFLOW_IMPORTED=%s' % ('tensorflow' in sys.modules))"


def student_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()


def describe_lost(grade) -> str:
    lost = grade.lost()
    return ", ".join(f"{k} {s:g}/{m:g}" for k, (s, m) in sorted(lost.items())) or "none"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_source_gets_full_marks(notebook, course_factory):
    import nbformat

    course = course_factory(notebook)
    nb = read(SOURCE_NOTEBOOKS / f"{notebook}.ipynb")
    nb.cells.append(nbformat.v4.new_code_cell(TF_PROBE))
    course.submit("reference", {notebook: nb})
    grade = course.autograde("reference")[notebook]
    assert grade.max_score > 0
    assert grade.score == grade.max_score, f"reference solution lost points: {describe_lost(grade)}"

    executed = read(course.autograded_dir("reference") / f"{notebook}.ipynb")
    errors = [
        (i, o.get("ename"), o.get("evalue"))
        for i, c in enumerate(executed.cells)
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors, f"cells raised while running the reference notebook: {errors}"
    probe = "".join(o.get("text", "") for o in executed.cells[-1].get("outputs", []))
    if notebook != "08_tf2_gradienttape":
        assert "TENSORFLOW_IMPORTED=False" in probe, f"{notebook} imported TensorFlow (probe said {probe!r})"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_student_version_is_clean_and_scores_zero(notebook, course_factory):
    course = course_factory(notebook)
    release_path = course.release_dir / f"{notebook}.ipynb"
    text = release_path.read_text()
    assert BEGIN_SOLUTION not in text and BEGIN_HIDDEN not in text
    source = read(SOURCE_NOTEBOOKS / f"{notebook}.ipynb")
    released_lines = {ln.strip() for c in read(release_path).cells for ln in c.source.splitlines()}
    leaked = [line for line in solution_lines(source) if line in released_lines]
    assert not leaked, f"solution or hidden-test lines leaked into the student version: {leaked[:5]}"

    course.submit("blank", {notebook: release_path})
    grade = course.autograde("blank")[notebook]
    assert grade.max_score > 0
    assert grade.score == 0, f"an unanswered notebook scored {grade.score}: {grade.tests}"
    executed = read(course.autograded_dir("blank") / f"{notebook}.ipynb")
    last = [c for c in executed.cells if c.cell_type == "code"][-1]
    assert last.get("execution_count"), "the student version did not run to its last cell"
    died = [o for c in executed.cells for o in c.get("outputs", []) if o.get("ename") in ("DeadKernelError",)]
    assert not died


def _variant_params():
    params = []
    for nb in NOTEBOOKS:
        for v in variants(nb):
            if v.kind == "wrong":
                params.append(pytest.param(v, id=v.id))
    return params


@pytest.mark.parametrize("variant", _variant_params())
def test_wrong_answer_loses_points(variant, course_factory, monkeypatch):
    monkeypatch.setenv("CS231N_SKIP_COMPILE", "1")  # 07's ungraded torch.compile demo
    course = course_factory(variant.notebook)
    source = read(SOURCE_NOTEBOOKS / f"{variant.notebook}.ipynb")
    nb = truncated_after(with_cells_replaced(source, {variant.exercise: variant.source}), variant.exercise)
    sid = student_id(variant.path.stem)
    course.submit(sid, {variant.notebook: nb})
    grade = course.autograde(sid)[variant.notebook]
    own = exercise_tests(variant.exercise, grade.tests)
    assert own, f"no test cells named test_{variant.exercise}*"
    lost = {k: v for k, v in grade.tests.items() if k in own and v[0] < v[1]}
    assert lost, f"{variant.path.name} kept full points on {own}: the tests do not catch this mistake"


def _alt_groups():
    """Alternative answers batched: the k-th alternative of every exercise in one submission."""
    params = []
    for nb in NOTEBOOKS:
        by_exercise: dict[str, list] = {}
        for v in variants(nb):
            if v.kind == "alt":
                by_exercise.setdefault(v.exercise, []).append(v)
        for k, group in enumerate(itertools.zip_longest(*by_exercise.values())):
            group = [v for v in group if v is not None]
            params.append(pytest.param(nb, group, id=f"{nb}/alt-{k + 1}"))
    return params


@pytest.mark.parametrize(("notebook", "group"), _alt_groups())
def test_alternative_answers_keep_full_marks(notebook, group, course_factory, monkeypatch):
    monkeypatch.setenv("CS231N_SKIP_COMPILE", "1")  # 07's ungraded torch.compile demo
    course = course_factory(notebook)
    source = read(SOURCE_NOTEBOOKS / f"{notebook}.ipynb")
    nb = with_cells_replaced(source, {v.exercise: v.source for v in group})
    sid = student_id("alt-" + "-".join(v.path.stem for v in group))[:60]
    course.submit(sid, {notebook: nb})
    grade = course.autograde(sid)[notebook]
    assert grade.score == grade.max_score, (
        f"correct alternatives {[v.path.name for v in group]} lost points: {describe_lost(grade)}"
    )


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_exercise_has_wrong_and_alternative_submissions(notebook):
    nb = read(SOURCE_NOTEBOOKS / f"{notebook}.ipynb")
    exercises = solution_cells(nb)
    tests = graded_cells(nb)
    have = variants(notebook)
    problems = []
    for ex in exercises:
        if not exercise_tests(ex, tests):
            problems.append(f"{ex}: no test cell named test_{ex}*")
        wrong = [v for v in have if v.exercise == ex and v.kind == "wrong"]
        alt = [v for v in have if v.exercise == ex and v.kind == "alt"]
        if len(wrong) < 2 or len(alt) < 1:
            problems.append(f"{ex}: {len(wrong)} wrong and {len(alt)} alternative submissions (need 2 and 1)")
    for v in have:
        if v.exercise not in exercises:
            problems.append(f"{v.path.name} names unknown exercise {v.exercise!r}")
    assert not problems, "\n".join(problems)
