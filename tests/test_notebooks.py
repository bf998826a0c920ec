"""Every course notebook, graded through stock nbgrader (generate_assignment + autograde):

- the source notebook runs top to bottom and gets full marks (and 01-07 never import TensorFlow);
- the student version holds no solution and no hidden test, runs to the end and scores 0, and
  every test cell says "not implemented" (NotImplementedError or a message saying so);
- each wrong submission in tests/submissions loses points on its exercise's tests for the reason
  its header names (the first failing test cell raises the ``# error:`` exception and its message
  contains the ``# expect:`` phrase), with its own solution cell running cleanly, and without
  costing any other exercise its points; each alternative correct one keeps full marks.

Every notebook is executed once per purpose (reference, blank student version, batched wrong
answers (one per exercise in a run), batched alternatives): all checks on a run read the same autograded notebook. The
kernel-running tests are marked ``slow``; the static checks on the submission files are not.
"""

from __future__ import annotations

import itertools
import re

import pytest
from notebook_harness import (
    BEGIN_HIDDEN,
    BEGIN_SOLUTION,
    SUBMISSIONS_DIR,
    cell_by_grade_id,
    error_output,
    error_text,
    exercise_tests,
    graded_cells,
    load_variant,
    nbgrader_meta,
    read,
    solution_cells,
    solution_lines,
    truncated_after,
    why_no_points,
    with_cells_replaced,
)

from autograder.course import NOTEBOOKS, SOURCE_NOTEBOOKS


def grading(test):
    """Marks for a test that grades a notebook (starts kernels): ``notebook`` and ``slow``.
    The static checks at the bottom carry neither and run in ``make test-fast``."""
    return pytest.mark.notebook(pytest.mark.slow(test))


TF_PROBE = "import sys\nprint('TENSORFLOW_IMPORTED=%s' % ('tensorflow' in sys.modules))"


def student_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()


def describe_lost(grade) -> str:
    lost = grade.lost()
    return ", ".join(f"{k} {s:g}/{m:g}" for k, (s, m) in sorted(lost.items())) or "none"


def load_submissions(notebook: str | None = None):
    """(variants, problems): every submission file that parses, and one line per file that
    does not (reported by test_submission_files_follow_the_convention, skipped elsewhere, so a
    half-edited file does not stop the collection of every other test)."""
    pattern = f"{notebook}/*.py" if notebook else "*/*.py"
    loaded, problems = [], []
    for path in sorted(SUBMISSIONS_DIR.glob(pattern)):
        try:
            loaded.append(load_variant(path))
        except (ValueError, UnicodeDecodeError) as exc:
            problems.append(str(exc))
    return loaded, problems


def variants(notebook: str | None = None):
    return load_submissions(notebook)[0]


NOT_IMPLEMENTED = "not implemented"


def says_not_implemented(out) -> bool:
    return out is not None and (
        out.get("ename") == "NotImplementedError" or NOT_IMPLEMENTED in error_text(out).lower()
    )


@pytest.mark.parametrize("notebook", NOTEBOOKS)
@grading
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
        assert "TENSORFLOW_IMPORTED=False" in probe, (
            f"{notebook} imported TensorFlow (probe said {probe!r})"
        )


@pytest.mark.parametrize("notebook", NOTEBOOKS)
@grading
def test_student_version_is_clean_and_scores_zero(notebook, course_factory):
    """One blank run per notebook: it is leak-free, scores 0, runs to its last cell, and every
    test cell fails saying the exercise is not implemented (never a misleading message)."""
    course = course_factory(notebook)
    release_path = course.release_dir / f"{notebook}.ipynb"
    text = release_path.read_text()
    assert BEGIN_SOLUTION not in text and BEGIN_HIDDEN not in text
    source = read(SOURCE_NOTEBOOKS / f"{notebook}.ipynb")
    released_lines = {ln.strip() for c in read(release_path).cells for ln in c.source.splitlines()}
    leaked = [line for line in solution_lines(source) if line in released_lines]
    assert not leaked, (
        f"solution or hidden-test lines leaked into the student version: {leaked[:5]}"
    )

    course.submit("blank", {notebook: release_path})
    grade = course.autograde("blank")[notebook]
    assert grade.max_score > 0
    assert grade.score == 0, f"an unanswered notebook scored {grade.score}: {grade.tests}"
    executed = read(course.autograded_dir("blank") / f"{notebook}.ipynb")
    last = [c for c in executed.cells if c.cell_type == "code"][-1]
    assert last.get("execution_count"), "the student version did not run to its last cell"
    died = [
        o
        for c in executed.cells
        for o in c.get("outputs", [])
        if o.get("ename") in ("DeadKernelError",)
    ]
    assert not died

    misleading = [
        f"{gid}: {why_no_points(cell)}"
        for gid, cell in graded_cells(executed).items()
        if not says_not_implemented(error_output(cell))
    ]
    assert not misleading, (
        f"{notebook}, student version: every test cell of an unanswered exercise must fail with "
        f"NotImplementedError or a message containing {NOT_IMPLEMENTED!r}; these do not:\n"
        + "\n".join(misleading)
    )


def _wrong_groups():
    """Wrong answers batched: the k-th wrong answer of every exercise in one submission.

    Each exercise is graded on its own answer (never through another exercise's function), so
    wrong answers to different exercises can share a run: each must still fail its own tests for
    its own reason, and every exercise left with the reference answer in that run must keep its
    full points (a wrong answer elsewhere must not cost them). One run per group instead of one
    per file: the notebooks run about a third as often."""
    params = []
    for nb in NOTEBOOKS:
        by_exercise: dict[str, list] = {}
        for v in variants(nb):
            if v.kind == "wrong":
                by_exercise.setdefault(v.exercise, []).append(v)
        for k, group in enumerate(itertools.zip_longest(*by_exercise.values())):
            group = [v for v in group if v is not None]
            stems = "+".join(v.path.stem for v in group)
            params.append(pytest.param(nb, group, id=f"{nb}/wrong-{k + 1}:{stems}"))
    return params


def check_wrong_answer(variant, grade, executed) -> list[str]:
    """What is wrong with how a wrong submission was graded (empty: it failed for its reason).

    ``grade`` is the gradebook's view of the run, ``executed`` the autograded notebook."""
    who = f"{variant.notebook}/{variant.path.name}"
    problems = []
    own_cell = cell_by_grade_id(executed, variant.exercise)
    crashed = error_output(own_cell)
    if crashed is not None:
        problems.append(
            f"{who}: its solution cell {variant.exercise!r} itself raised {error_text(crashed)} "
            "(a stale or broken submission: a wrong answer must define its function and lose "
            "points in the test cells)"
        )
    order = [
        gid
        for gid in graded_cells(executed)
        if gid in exercise_tests(variant.exercise, grade.tests)
    ]
    if not order:
        return [*problems, f"{who}: no test cells named test_{variant.exercise}*"]
    lost = [gid for gid in order if grade.tests[gid][0] < grade.tests[gid][1]]
    if not lost:
        return [
            *problems,
            f"{who} kept full points on {order}: the tests do not catch this mistake",
        ]
    first = lost[0]
    out = error_output(cell_by_grade_id(executed, first))
    came_back = why_no_points(cell_by_grade_id(executed, first))
    if variant.expect is None:
        problems.append(
            f"{who}: add a '# expect: <phrase>' line (line 2) naming the mistake; the first test "
            f"cell that lost points, {first}, said: {came_back}"
        )
        return problems
    if out is None or out.get("ename") != variant.error:
        problems.append(
            f"{who}: expected the first failing test cell, {first}, to raise {variant.error} "
            f"with a message containing {variant.expect!r}; it gave {came_back}"
        )
    elif variant.expect.lower() not in error_text(out).lower():
        problems.append(
            f"{who}: expected the message of the first failing test cell, {first}, to contain "
            f"{variant.expect!r}; it said {came_back}"
        )
    return problems


@pytest.mark.parametrize(("notebook", "group"), _wrong_groups())
@grading
def test_wrong_answers_lose_points_with_their_messages(
    notebook, group, course_factory, monkeypatch
):
    """One run per group of wrong submissions (one per exercise): each solution cell runs
    cleanly, the first of its exercise's test cells that loses points raises the expected error
    with the expected phrase, and the exercises answered correctly in that run keep full points."""
    monkeypatch.setenv("CS231N_SKIP_COMPILE", "1")  # 07's ungraded torch.compile demo
    course = course_factory(notebook)
    source = read(SOURCE_NOTEBOOKS / f"{notebook}.ipynb")
    ids = [nbgrader_meta(c).get("grade_id", "") for c in source.cells]

    def last_test(exercise):
        return max((i for i, g in enumerate(ids) if g in exercise_tests(exercise, ids)), default=-1)

    wrong = {v.exercise: v.source for v in group}
    nb = truncated_after(with_cells_replaced(source, wrong), max(wrong, key=last_test))
    sid = student_id("wrong-" + "-".join(v.path.stem for v in group))[:60]
    course.submit(sid, {notebook: nb})
    grade = course.autograde(sid)[notebook]
    executed = read(course.autograded_dir(sid) / f"{notebook}.ipynb")
    problems = [p for v in group for p in check_wrong_answer(v, grade, executed)]
    ran = set(graded_cells(executed))
    for exercise in solution_cells(source):
        if exercise in wrong:
            continue
        lost = [
            f"{gid} {grade.tests[gid][0]:g}/{grade.tests[gid][1]:g}"
            for gid in exercise_tests(exercise, grade.tests)
            if gid in ran and grade.tests[gid][0] < grade.tests[gid][1]
        ]
        if lost:
            problems.append(
                f"{exercise} has the reference answer here but lost points ({', '.join(lost)}) "
                f"next to the wrong answers {sorted(v.path.name for v in group)}: its tests "
                "depend on another exercise's answer"
            )
    assert not problems, "\n".join(problems)


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
@grading
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
            problems.append(
                f"{ex}: {len(wrong)} wrong and {len(alt)} alternative submissions (need 2 and 1)"
            )
    for v in have:
        if v.exercise not in exercises:
            problems.append(f"{v.path.name} names unknown exercise {v.exercise!r}")
    assert not problems, "\n".join(problems)


def test_submission_files_follow_the_convention():
    """Fast (no kernel): every file parses, every wrong_ file names its expected message."""
    loaded, problems = load_submissions()
    for v in loaded:
        if v.kind == "wrong" and v.expect is None:
            problems.append(
                f"{v.notebook}/{v.path.name}: add a '# expect: <phrase>' line (line 2) naming the mistake"
            )
    assert not problems, "\n".join(problems)
