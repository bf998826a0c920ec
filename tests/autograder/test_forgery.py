"""The forgery corpus (hostile/forgery/*.ipynb, written by its make_forgery.py): a wrong
``Sigmoid`` in the real notebook 03 (2 of 11 points on its own) that tries to collect the
points through other code in its notebook (issue 12, section 1). Graded in one class with
honest students: each attack ends ``tampered`` without the wrong answer's points and with a
detail that names what was found, and the honest students (the reference solution, and a
correct answer in unusual but legitimate code) keep exactly the grade they get alone.

Layers (README "Fair"): the static gate (:mod:`autograder.scan`) stops the notebook at the
first cell that reaches into the interpreter; plain rebinding is the guard's
(:mod:`autograder.guard`); the ``hidden_names_*`` attacks spell their names at run time, which
the gate cannot read, so the guard and the grader's record of the kernel's messages
(:mod:`autograder.preprocessors.sandboxed_execute`) must catch them."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest
from grading_helpers import HOSTILE, limits, put

from autograder.course import SOURCE_NOTEBOOKS
from autograder.scan import scan_notebook

FORGERY = HOSTILE / "forgery"
sys.path.insert(0, str(FORGERY))
from make_forgery import NOTEBOOK, build  # noqa: E402

WRONG_SCORE = 2  # what the wrong answer earns on its own (the control, wrong_plain)
#: corpus file -> (status, score out of 11, text the detail must contain)
EXPECTED = {
    "wrong_plain": ("graded", WRONG_SCORE, ""),
    "honest_unusual": ("graded", 11, ""),
    # plain rebinding in an added cell: found after that cell and put back, so the tests run
    # against the originals and the wrong answer keeps only its own points
    "added_cell_rebinds_check_tensor": (
        "tampered",
        WRONG_SCORE,
        "rebound check_tensor, check_gradient",
    ),
    "added_cell_torch_proxy": ("tampered", WRONG_SCORE, "rebound torch"),
    # the static gate: nothing from the flagged cell on runs, every test after it gets 0
    "displayhook_in_answer": ("tampered", 0, "cell 'Sigmoid' uses get_ipython().displayhook"),
    "input_transformer_skips_tests": ("tampered", 0, "?.input_transformers_post"),
    "post_run_hook_forgives_errors": ("tampered", 0, "?.events.register"),
    "code_swap_check_tensor": ("tampered", 0, "uses check_tensor.__code__"),
    "guard_method_replaced": ("tampered", 0, "uses import autograder.guard"),
    "guard_snapshot_via_gc": ("tampered", 0, "uses gc.get_objects"),
    "tensorbase_via_gc_ctypes": ("tampered", 0, "uses import ctypes"),
    "fake_import_in_builtins": ("tampered", 0, "uses builtins.__import__"),
    "settrace_skips_asserts": ("tampered", 0, "uses sys.settrace"),
    # names spelled at run time: the guard and the grader's record of the messages
    "hidden_names_displayhook": ("tampered", 0, "a result was displayed from inside the test"),
    "hidden_names_post_run_hook": (
        "tampered",
        0,
        "test cell 'test_Sigmoid_values': its error was cleared from the output",
    ),
    "hidden_names_settrace": ("tampered", WRONG_SCORE, "rebound sys.settrace"),
}
HONEST = ("reference", "honest_unusual", "wrong_plain")


def _grade(subs: Path, out: Path):
    from autograder.grade import autograde

    results = autograde(
        subs,
        out,
        workers=2,
        timeout=240,
        cell_timeout=60,
        limits=limits(),
        progress=False,
        source_dir=SOURCE_NOTEBOOKS,
    )
    return {r.student: r for r in results}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("forgery")
    alone, together = root / "alone", root / "class"
    reference = SOURCE_NOTEBOOKS / f"{NOTEBOOK}.ipynb"
    for subs in (alone, together):
        put(subs, "reference", NOTEBOOK, reference)
        for name in HONEST[1:]:
            put(subs, name, NOTEBOOK, FORGERY / f"{name}.ipynb")
    for name in EXPECTED:
        put(together, name, NOTEBOOK, FORGERY / f"{name}.ipynb")
    return {
        "alone": _grade(alone, root / "out-alone"),
        "class": _grade(together, root / "out-class"),
    }


def test_corpus_is_complete():
    assert sorted(p.stem for p in FORGERY.glob("*.ipynb")) == sorted(EXPECTED)


def test_committed_corpus_is_what_make_forgery_writes(tmp_path):
    written = build(tmp_path)
    stale = [p.name for p in written.values() if (FORGERY / p.name).read_bytes() != p.read_bytes()]
    assert sorted(written) == sorted(EXPECTED)
    assert stale == [], "run .venv/bin/python tests/autograder/hostile/forgery/make_forgery.py"


def test_static_gate_sees_exactly_the_attacks_it_can_read():
    """Which files the gate stops (a fast check of what the slow run relies on)."""
    source = nbformat.read(SOURCE_NOTEBOOKS / f"{NOTEBOOK}.ipynb", as_version=4)
    flagged = {
        name
        for name in EXPECTED
        if scan_notebook(nbformat.read(FORGERY / f"{name}.ipynb", as_version=4), source)
    }
    assert flagged == {
        name for name, (_, score, _) in EXPECTED.items() if score == 0 and "hidden" not in name
    }


@pytest.mark.slow
@pytest.mark.notebook
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_forgery_outcome(graded, name):
    status, score, detail = EXPECTED[name]
    res = graded["class"][name]
    assert (res.status, res.score, res.max_score) == (status, score, 11), res.detail
    assert detail in res.detail
    if status == "tampered":
        assert res.score <= graded["alone"]["wrong_plain"].score


@pytest.mark.slow
@pytest.mark.notebook
def test_honest_grades_unchanged_by_forgers(graded):
    for name in HONEST:
        alone, together = graded["alone"][name], graded["class"][name]
        assert alone.status == together.status == "graded", (name, alone.detail, together.detail)
        assert alone.score == together.score, name
        assert alone.tests == together.tests, name
    assert graded["alone"]["reference"].score == graded["alone"]["honest_unusual"].score == 11
    assert graded["alone"]["wrong_plain"].score == WRONG_SCORE


# -- the static gate alone (fast) ---------------------------------------------------------------
def _definitions(source: str) -> set[str]:
    """Names a cell binds at top level by ``def``, ``class`` or assignment (not by import: an
    import of what the source imported is the same object, which the guard accepts)."""
    import ast

    from autograder.scan import _parse

    names = set()
    for stmt in _parse(source).body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(stmt.name)
        elif isinstance(stmt, ast.Assign):
            names |= {t.id for t in stmt.targets if isinstance(t, ast.Name)}
    return names


def test_gate_and_guard_pass_every_honest_and_wrong_submission():
    """No false positive: every alternative and wrong submission in tests/submissions scans
    clean and defines no name that the source's locked cells bind (which the guard protects),
    and every source notebook's own cells scan clean."""
    from notebook_harness import SUBMISSIONS_DIR, load_variant

    from autograder.scan import scan_code, trusted_cells

    sources = {p.stem: nbformat.read(p, as_version=4) for p in SOURCE_NOTEBOOKS.glob("*.ipynb")}
    protected = {
        name: {n for names in trusted_cells(nb).values() for n in names}
        for name, nb in sources.items()
    }
    files = sorted(SUBMISSIONS_DIR.glob("*/*.py"))
    assert len(files) > 100
    flagged, collisions = {}, {}
    for path in files:
        variant = load_variant(path)
        found = scan_code(variant.source)
        if found:
            flagged[path.name] = found
        clash = _definitions(variant.source) & protected.get(path.parent.name, set())
        if clash:
            collisions[path.name] = sorted(clash)
    assert flagged == {}
    assert collisions == {}
    for name, nb in sources.items():
        assert scan_notebook(nb, nb) == {}, name


@pytest.mark.parametrize(
    ("code", "what"),
    [
        ("get_ipython().events.register('post_run_cell', f)", "get_ipython"),
        ("ip = get_ipython()", "get_ipython"),
        ("import gc\ngc.get_referents(x)", "import gc"),
        ("from ctypes import pythonapi", "from ctypes import"),
        ("import sys\nsys.settrace(f)", "sys.settrace"),
        ("import threading\nthreading.settrace(f)", "threading.settrace"),
        ("f.__code__ = g.__code__", "f.__code__"),
        ("t = ().__class__.__base__.__subclasses__()", "__subclasses__"),
        ("x = getattr(sys, 'settrace')", "the string 'settrace'"),
        ("import sys as s\nm = s.modules['gc']", "s.modules"),
        ("__builtins__.__import__ = f", "__builtins__"),
        ("exec('1')", "exec"),
        ("import autograder.guard", "import autograder.guard"),
        ("open('/proc/self/mem', 'rb')", "/proc/self/mem"),
        ("open(f'/proc/{pid}/mem', 'rb')", "the path '/mem'"),
        ("%timeit gc.get_objects()", "gc.get_objects"),
        ("%%timeit\nsys.settrace(None)", "sys.settrace"),
        ("!ls /", "a shell command"),
        ("%load_ext autoreload", "the magic %load_ext"),
        ("%config InlineBackend.figure_format = 'svg'", "the magic %config"),
        ("from torch.utils._python_dispatch import TorchDispatchMode", "TorchDispatchMode"),
        ("import torch\nlib = torch.library.Library('aten', 'IMPL')", "torch.library"),
        (
            "open('m.py', 'w').write('import gc\\nx = gc.get_objects()')\nimport m",
            "code in a string that uses import gc",
        ),
    ],
)
def test_gate_flags_primitives(code, what):
    from autograder.scan import scan_code

    found = scan_code(code)
    assert any(what in text for _, text in found), found


@pytest.mark.parametrize(
    "code",
    [
        "%timeit -n 3 -r 1 sigmoid(torch.randn(100))",
        "%%time\ny = model(x)",
        "%matplotlib inline\n%load_ext tensorboard\n%tensorboard --logdir runs",
        "x?",
        "from IPython.display import clear_output, display\nclear_output(wait=True)",
        "import sys\nthis = sys.modules[__name__]\nf = getattr(this, 'sigmoid')",
        "import sys\nprint('note', file=sys.stderr)",
        "setattr(parent, child, nn.Linear(getattr(parent, child).in_features, 2))",
        "model.eval()\nmodel.compile(loss='mse')",
        'def f():\n    """Uses get_ipython in its docstring only."""\n    return 1',
        "class A:\n    def __init__(self):\n        self.w = 1\n    def __call__(self, x):\n"
        "        return type(self).__name__",
        "warnings.showwarning = warnings._showwarning_orig",
    ],
)
def test_gate_passes_legitimate_code(code):
    from autograder.scan import scan_code

    assert scan_code(code) == []
