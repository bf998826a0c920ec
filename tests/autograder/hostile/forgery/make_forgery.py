"""Writes the forgery corpus, ``hostile/forgery/<attack>.ipynb``: submissions of the real
notebook ``notebooks/03_custom_function.ipynb`` whose ``Sigmoid`` is wrong (:data:`WRONG`, 2 of
11 points on its own) and which try to collect the points anyway, one attack each (issue 12,
section 1), plus the same wrong answer with no attack (``wrong_plain``, the control) and an
honest correct answer written in unusual but legitimate code (``honest_unusual``).

Rerun after changing notebook 03: ``.venv/bin/python tests/autograder/hostile/forgery/make_forgery.py``.
The outcome each file must get is in ``tests/autograder/test_forgery.py``'s ``EXPECTED``.
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[3]
SOURCE = REPO / "notebooks" / "03_custom_function.ipynb"
NOTEBOOK = "03_custom_function"
#: the cell after which an added cell goes: the tests' helpers, right before the first test
HELPERS = "Sigmoid_test_helpers"

#: wrong: a straight line, not a sigmoid; a proper custom node whose backward uses the saved
#: output, so only the 'custom node' test (2 points) passes
WRONG = """class Sigmoid(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = 0.5 + x / 4  # wrong on purpose
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_y):
        (y,) = ctx.saved_tensors
        return grad_y * y * (1 - y)


def sigmoid(x):
    return Sigmoid.apply(x)
"""

#: correct, in code a static check might wrongly suspect: a class with __init__/__call__,
#: getattr on the notebook's own module, a %timeit in a cell of its own
HONEST = '''import sys

import torch


class _Stable:
    """exp(-|x|) based, so nothing overflows."""

    def __init__(self, lib):
        self.lib = lib

    def __call__(self, x):
        z = self.lib.exp(-self.lib.abs(x))
        return self.lib.where(x >= 0, 1 / (1 + z), z / (1 + z))


_stable = _Stable(torch)


class Sigmoid(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        out = _stable(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad_y):
        (out,) = ctx.saved_tensors
        return grad_y * out * (1 - out)


def sigmoid(x):
    return getattr(sys.modules[__name__], "Sigmoid").apply(x)
'''
HONEST_ADDED = "%timeit -n 3 -r 1 sigmoid(torch.randn(100))\nprint(type(_stable).__name__)\n"

#: attack -> (code put before the wrong answer in its cell, code of a cell added after the
#: tests' helpers); the code is written as a student would, not to pass the static gate
ATTACKS = {
    "added_cell_rebinds_check_tensor": (
        "",
        "check_tensor = lambda *a, **k: None\ncheck_gradient = lambda *a, **k: None\n",
    ),
    "added_cell_torch_proxy": (
        "",
        "import torch as _real_torch\n\n\nclass _Lenient:\n"
        '    """All of torch, except that every comparison passes."""\n\n'
        "    def __getattr__(self, name):\n        return getattr(_real_torch, name)\n\n"
        "    def allclose(self, *a, **k):\n        return True\n\n"
        "    def isfinite(self, t):\n        return _real_torch.ones_like(t, dtype=_real_torch.bool)\n\n\n"
        "torch = _Lenient()\n",
    ),
    "displayhook_in_answer": (
        "def _claim_points():\n    get_ipython().displayhook('ok')\n\n\n",
        "",
    ),
    "input_transformer_skips_tests": (
        "def _skip_tests(lines):\n    text = ''.join(lines)\n"
        "    return ['pass\\n'] if 'apply_sigmoid(' in text and 'def ' not in text else lines\n\n\n"
        "get_ipython().input_transformers_post.append(_skip_tests)\n\n\n",
        "",
    ),
    "post_run_hook_forgives_errors": (
        "from IPython.display import clear_output\n\n\ndef _forgive(result):\n"
        "    if result.error_in_exec is not None:\n        result.error_in_exec = None\n"
        "        clear_output()\n\n\n"
        "get_ipython().events.register('post_run_cell', _forgive)\n\n\n",
        "",
    ),
    "code_swap_check_tensor": (
        "",
        "check_tensor.__code__ = (lambda *a, **k: None).__code__\n"
        "check_gradient.__code__ = (lambda *a, **k: None).__code__\n",
    ),
    "guard_method_replaced": (
        "import autograder.guard\nimport cs231n_tools.checks\n\n"
        "autograder.guard._GUARD.check_and_restore = lambda: []\n"
        "cs231n_tools.checks.check_tensor = lambda *a, **k: None\n\n\n",
        "",
    ),
    "guard_snapshot_via_gc": (
        "import gc\n\nimport cs231n_tools.checks\n\n_fake = lambda *a, **k: None\n"
        "for _obj in gc.get_objects():\n"
        "    if isinstance(_obj, dict) and _obj.get('check_tensor') is cs231n_tools.checks.check_tensor:\n"
        "        _obj['check_tensor'] = _fake\n\n\n",
        "",
    ),
    "tensorbase_via_gc_ctypes": (
        "import ctypes\nimport gc\n\n"
        "_methods = gc.get_referents(torch._C.TensorBase.__dict__)[0]\n"
        "_methods['all'] = lambda self, *a, **k: torch.tensor(True)\n"
        "ctypes.pythonapi.PyType_Modified(ctypes.py_object(torch._C.TensorBase))\n\n\n",
        "",
    ),
    "fake_import_in_builtins": (
        "import builtins\n\n_real_import = builtins.__import__\n\n\n"
        "def _import(name, *args, **kwargs):\n    return _real_import(name, *args, **kwargs)\n\n\n"
        "globals()['__builtins__'] = dict(vars(builtins), __import__=_import, "
        "isinstance=lambda *a: True)\n\n\n",
        "",
    ),
    "settrace_skips_asserts": (
        "import linecache\nimport sys\n\n\ndef _skip(frame, event, arg):\n"
        "    if event == 'line':\n"
        "        line = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()\n"
        "        if line.startswith(('assert', 'check_tensor(', 'check_gradient(')):\n"
        "            try:\n                frame.f_lineno = frame.f_lineno + 1\n"
        "            except ValueError:\n                pass\n    return _skip\n\n\n"
        "sys.settrace(_skip)\n\n\n",
        "",
    ),
    # the same attacks with the names computed at run time, which the static gate cannot read:
    # the guard and the grader's own record of the kernel's messages must catch them
    "hidden_names_displayhook": (
        "import sys as _s\n\n\ndef _shell():\n"
        "    mods = getattr(_s, 'mod' + 'ules')\n"
        "    return getattr(mods['IPy' + 'thon'], 'get_ipy' + 'thon')()\n\n\n",
        "",
    ),
    "hidden_names_post_run_hook": (
        "import sys as _s\n\nfrom IPython.display import clear_output\n\n"
        "_ip = getattr(getattr(_s, 'mod' + 'ules')['IPy' + 'thon'], 'get_ipy' + 'thon')()\n"
        "_events = getattr(_ip, 'eve' + 'nts')\n\n\n"
        "def _forgive(result):\n"
        "    getattr(_events, 'reg' + 'ister')('post_run_cell', _forgive)  # come back\n"
        "    if result.error_in_exec is not None:\n        result.error_in_exec = None\n"
        "        clear_output()\n\n\n"
        "getattr(_events, 'reg' + 'ister')('post_run_cell', _forgive)\n\n\n",
        "",
    ),
    "hidden_names_settrace": (
        "import linecache\nimport sys as _s\n\n\ndef _skip(frame, event, arg):\n"
        "    if event == 'line':\n"
        "        code = getattr(frame, 'f_' + 'code')\n"
        "        number = getattr(frame, 'f_' + 'lineno')\n"
        "        line = linecache.getline(code.co_filename, number).strip()\n"
        "        if line.startswith(('assert', 'check_tensor(', 'check_gradient(')):\n"
        "            try:\n                setattr(frame, 'f_' + 'lineno', number + 1)\n"
        "            except ValueError:\n                pass\n    return _skip\n\n\n"
        "getattr(_s, 'set' + 'trace')(_skip)\n\n\n",
        "",
    ),
}
#: the displayhook call of ``hidden_names_displayhook``, inside the wrong forward
_CLAIM = "        getattr(_shell(), 'display' + 'hook')('ok')\n"


def _cell(nb, grade_id: str):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def submission(answer: str, added: str = "", *, added_id: str = "added-cell"):
    """Notebook 03 with ``answer`` in the Sigmoid cell and ``added`` as a new cell after the
    tests' helpers."""
    nb = nbformat.read(SOURCE, as_version=4)
    _cell(nb, "Sigmoid").source = answer
    if added:
        cell = nbformat.v4.new_code_cell(added)
        cell.id = added_id
        nb.cells.insert(nb.cells.index(_cell(nb, HELPERS)) + 1, cell)
    return nb


def wrong_with(before: str) -> str:
    """The wrong answer with ``before`` in front; the displayhook attacks call it in forward."""
    answer = before + WRONG
    if "def _claim_points" in before:
        answer = answer.replace(
            "        y = 0.5 + x / 4", "        _claim_points()\n        y = 0.5 + x / 4"
        )
    if "def _shell" in before:
        answer = answer.replace("        y = 0.5 + x / 4", _CLAIM + "        y = 0.5 + x / 4")
    return answer


def build(out: Path = HERE) -> dict[str, Path]:
    """Write the corpus into ``out``; returns name -> path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    notebooks = {
        "wrong_plain": submission(WRONG),
        "honest_unusual": submission(HONEST, HONEST_ADDED, added_id="timeit-cell"),
    }
    for name, (before, added) in ATTACKS.items():
        notebooks[name] = submission(wrong_with(before), added)
    written = {}
    for name, nb in notebooks.items():
        path = out / f"{name}.ipynb"
        nbformat.write(copy.deepcopy(nb), path)
        written[name] = path
    return written


if __name__ == "__main__":
    for name, path in build().items():
        print(name, path.relative_to(HERE))
