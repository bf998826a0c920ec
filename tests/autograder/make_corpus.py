"""Writes the hostile corpus, ``hostile/<what_it_does>.ipynb``: submissions of the fixture
notebook ``fixtures/course/01_square.ipynb``. Rerun after changing the fixture:
``.venv/bin/python tests/autograder/make_corpus.py``. The expected grade of each file is in
``test_hostile.py``'s ``EXPECTED``.
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "fixtures" / "course" / "01_square.ipynb"
OUT = HERE / "hostile"
VICTIM_SECRET = "VICTIM-SECRET-7f3a"
#: in the hostile notebooks' own copy: the search that must not find another student's file
#: has to find this one (a positive control: a broken search cannot pass the test)
OWN_SECRET = "OWN-SECRET-91c2"
PWNED = "PWNED_BY_HOSTILE"
#: a port the test listens on, on the grader's loopback, while the corpus is graded
LOOPBACK_PORT = 47231

PRUNE = "{'.venv', '.pyenv', 'site-packages', 'usr', 'proc', 'sys', 'dev', '.git', 'lib', 'lib64', 'bin', 'sbin', 'etc', 'var'}"
SQUARE = 'def square(x):\n    """Elementwise square of a tensor."""\n    return x * x\n'

#: name -> replacement source of the 'square' solution cell
CELLS = {
    "infinite_loop": "while True:\n    pass\n" + SQUARE,
    "memory_bomb": "blocks = []\nwhile True:\n    blocks.append(bytearray(2**26))\n" + SQUARE,
    "fork_bomb": (
        "import os, time\nchildren = 0\nwhile True:\n    pid = os.fork()\n    if pid == 0:\n"
        "        time.sleep(120)\n        os._exit(0)\n    children += 1\n" + SQUARE
    ),
    "kernel_killed": "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n" + SQUARE,
    "huge_output": "for i in range(40_000):\n    print('x' * 1000)\n" + SQUARE,
    "reads_other_student": (
        "import os\nfor root in ('/tmp', '/work', '/root', '/home', '/srv'):\n"
        f"    for d, dirs, files in os.walk(root):\n        dirs[:] = [x for x in dirs if x not in {PRUNE}]\n        for f in files:\n"
        "            try:\n                text = open(os.path.join(d, f), errors='ignore').read()\n"
        "            except OSError:\n                continue\n"
        f"            if {VICTIM_SECRET[:6]!r} + {VICTIM_SECRET[6:]!r} in text:\n"
        "                print('FOUND other student in', os.path.join(d, f))\n"
        f"            if {OWN_SECRET[:4]!r} + {OWN_SECRET[4:]!r} in text and d.startswith(os.getcwd()):\n"
        "                print('control: found my own copy')\n" + SQUARE
    ),
    "reads_source_notebook": (
        "import os\nfor root in ('/tmp', '/work', '/root', '/home', '/srv'):\n"
        f"    for d, dirs, files in os.walk(root):\n        dirs[:] = [x for x in dirs if x not in {PRUNE}]\n"
        "        own = d.startswith(os.getcwd())  # its own working copy\n        for f in files:\n"
        "            p = os.path.join(d, f)\n            if f.endswith('.db'):\n"
        "                print('FOUND gradebook', p)\n            if not f.endswith('.ipynb'):\n                continue\n"
        "            try:\n                text = open(p, errors='ignore').read()\n            except OSError:\n                continue\n"
        "            if 'BEGIN HIDDEN' + ' TESTS' in text or 'BEGIN SOL' + 'UTION' in text:\n"
        "                print('control: found my own copy' if own else 'FOUND source notebook', p if not own else '')\n"
        + SQUARE
    ),
    "writes_outside": (
        "import os\nwritten = []\nfor root in ('/tmp', '/work', '/root', '/home', '/srv', '/'):\n"
        f"    for d, dirs, _ in os.walk(root):\n        dirs[:] = [x for x in dirs if x not in {PRUNE}]\n"
        f"        try:\n            open(os.path.join(d, {PWNED!r}), 'w').write('x')\n"
        "            written.append(d)\n        except OSError:\n            pass\n"
        "print('wrote into', len(written), 'folders outside:', [w for w in written if not w.startswith(os.getcwd())][:5])\n"
        f"print('control: wrote my own folder', os.path.exists(os.path.join(os.getcwd(), {PWNED!r})))\n"
        + SQUARE
    ),
    "network_access": (
        "import socket\ntry:\n    socket.create_connection(('1.1.1.1', 53), timeout=3)\n    print('network: OPEN')\n"
        "except OSError as exc:\n    print('network: blocked', type(exc).__name__)\n"
        f"try:\n    socket.create_connection(('127.0.0.1', {LOOPBACK_PORT}), timeout=3)\n    print('loopback: OPEN')\n"
        "except OSError as exc:\n    print('loopback: blocked', type(exc).__name__)\n"
        "a, b = socket.socketpair()\na.sendall(b'ok')\nprint('control: sockets work', b.recv(2) == b'ok')\n"
        + SQUARE
    ),
    "patched_checks": (
        "import torch, numpy, builtins\nimport cs231n_tools.checks\n"
        "torch.allclose = lambda *a, **k: True\nsetattr(numpy, 'allclose', lambda *a, **k: True)\n"
        "cs231n_tools.checks.check_tensor = lambda *a, **k: None\n"
        'def square(x):\n    """Wrong on purpose: relies on the patched checks."""\n    return x\n'
    ),
    "patches_at_call_time": (
        "import torch\n"
        'def square(x):\n    """Wrong, and disables the comparison when called."""\n'
        "    torch.allclose = lambda *a, **k: True\n    import cs231n_tools.checks as c\n"
        "    c.check_tensor = lambda *a, **k: None\n    return x\n"
    ),
}


def _square_cell(nb):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "square")


def write_square_variants(source, cells: dict[str, str], out: Path) -> dict[str, Path]:
    """For each ``name -> code`` of ``cells``, ``out/<name>.ipynb``: ``source`` with its 'square'
    solution cell replaced by ``code``. Returns name -> path."""
    written = {}
    for name, cell_source in cells.items():
        nb = copy.deepcopy(source)
        _square_cell(nb).source = "# ruff: noqa  (hostile on purpose)\n" + cell_source
        written[name] = out / f"{name}.ipynb"
        nbformat.write(nb, written[name])
    return written


def build(out: Path = OUT) -> dict[str, Path]:
    """Write the corpus into ``out``; returns name -> path."""
    out = Path(out)
    out.mkdir(exist_ok=True)
    source = nbformat.read(SOURCE, as_version=4)
    source.cells.append(
        nbformat.v4.new_markdown_cell(f"a note only this student's copy holds: {OWN_SECRET}")
    )
    source.cells[-1].id = "own-note"
    written = write_square_variants(source, CELLS, out)
    # a student deleted the test cells and answered 'square' wrongly
    nb = copy.deepcopy(source)
    _square_cell(nb).source = 'def square(x):\n    """Wrong."""\n    return x + x\n'
    nb.cells = [c for c in nb.cells if not c.metadata.get("nbgrader", {}).get("grade")]
    nbformat.write(nb, out / "deleted_test_cells.ipynb")
    written["deleted_test_cells"] = out / "deleted_test_cells.ipynb"
    (out / "invalid_json.ipynb").write_text('{"cells": [ {"cell_type": "code", "source": "1+1"')
    written["invalid_json"] = out / "invalid_json.ipynb"
    (out / "empty_file.ipynb").write_text("")
    written["empty_file"] = out / "empty_file.ipynb"
    return written


if __name__ == "__main__":
    for name, path in build().items():
        print(name, path.relative_to(HERE))
