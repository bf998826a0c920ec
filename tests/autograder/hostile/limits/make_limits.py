"""Writes the corpus of bad input and limits, ``hostile/limits/<what_it_does>.ipynb``:
submissions of the fixture notebook ``fixtures/course/01_square.ipynb`` that fill the disk,
send huge outputs, or are not notebooks at all. Rerun after changing the fixture:
``.venv/bin/python tests/autograder/hostile/limits/make_limits.py``. The grade each one must get
is in ``tests/autograder/test_limits.py``'s ``EXPECTED``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # tests/autograder, also when run as a script
from make_corpus import SOURCE, SQUARE, write_square_variants  # noqa: E402

#: what the fill attacks print as they go (flushed: a killed kernel keeps what it printed)
WROTE = "wrote MB"

FILL = (
    "import os\n"
    "def fill(folder, total=2_000_000_000, chunk=10_000_000):\n"
    "    os.makedirs(folder, exist_ok=True)\n"
    "    block, written = b'x' * chunk, 0\n"
    "    try:\n"
    "        for i in range(total // chunk):\n"
    "            with open(os.path.join(folder, f'fill{i}'), 'wb') as f:\n"
    "                f.write(block)\n"
    "            written += chunk\n"
    f"            print({WROTE!r}, written // 2**20, flush=True)\n"
    "    except OSError as exc:\n"
    "        print('stopped:', exc.strerror, flush=True)\n"
)

#: name -> replacement source of the 'square' solution cell
CELLS = {
    # 2 GB in 10 MB files into each place a kernel can write
    "fills_home": FILL + "fill(os.path.join(os.environ['HOME'], 'junk'))\n" + SQUARE,
    "fills_cwd": FILL + "fill(os.path.join(os.getcwd(), 'junk'))\n" + SQUARE,
    "fills_tmp": FILL + "fill('/tmp/junk')\n" + SQUARE,
    "fills_shm": FILL + "fill('/dev/shm/junk')\n" + SQUARE,
    # empty files: each counts one block, so a million of them reach the quota too
    "many_empty_files": (
        "import os\nd = os.path.join(os.environ['HOME'], 'empty')\nos.makedirs(d)\n"
        "for i in range(1_000_000):\n    open(os.path.join(d, str(i)), 'w').close()\n"
        "    if i % 20_000 == 0:\n        print('files', i, flush=True)\n" + SQUARE
    ),
    # one 400 MB write, and one 400 MB rich output: cut in the kernel, before the grader
    "huge_print": "import sys\nsys.stdout.write('x' * 400_000_000)\n" + SQUARE,
    "huge_display": (
        SQUARE + "class Huge:\n    def _repr_html_(self):\n        return 'y' * 400_000_000\n"
        "Huge()\n"
    ),
}


def build(out: Path = HERE) -> dict[str, Path]:
    """Write the corpus into ``out``; returns name -> path."""
    out = Path(out)
    out.mkdir(exist_ok=True)
    source = nbformat.read(SOURCE, as_version=4)
    written = write_square_variants(source, CELLS, out)
    depth = 200_000
    files = {
        "deep_json": "[" * depth + "]" * depth,
        "not_a_notebook": json.dumps([{"cells": []}]),
        "cells_not_a_list": json.dumps({"cells": {"0": {}}, "metadata": {}, "nbformat": 4}),
    }
    for name, text in files.items():
        written[name] = out / f"{name}.ipynb"
        written[name].write_text(text)
    return written


if __name__ == "__main__":
    for name, path in build().items():
        print(name, path.relative_to(HERE))
