"""Grade the reference notebooks with the course autograder; fail unless each gets full marks.

    .venv/bin/python scripts/grade_references.py --device cuda      # what `make gpu-check` runs

A check of a whole machine (sandbox, fork server, GPU passthrough), not of a notebook: the
reference solutions are submitted as one student and graded like a class.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder.course import NOTEBOOKS, SOURCE_NOTEBOOKS  # noqa: E402
from autograder.grade import DEVICES, autograde  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--device", choices=DEVICES, default="cuda")
    p.add_argument("--workers", type=int, default=None)
    p.add_argument("--notebooks", nargs="*", default=list(NOTEBOOKS), choices=NOTEBOOKS)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cs231n-references-") as tmp:
        subs = Path(tmp) / "submissions" / "reference"
        subs.mkdir(parents=True)
        for name in args.notebooks:
            shutil.copy(SOURCE_NOTEBOOKS / f"{name}.ipynb", subs / f"{name}.ipynb")
        results = autograde(
            subs.parent,
            Path(tmp) / "out",
            device=args.device,
            workers=args.workers,
            force=True,
            progress=False,
        )
    bad = 0
    for r in sorted(results, key=lambda r: r.notebook):
        ok = r.status == "graded" and r.score == r.max_score
        bad += not ok
        print(
            f"{r.notebook:22} {r.score:5g}/{r.max_score:<4g} {r.status:10} "
            f"kernel start {r.kernel_start_s or 0:5.2f} s, cells {r.cells_s or 0:6.1f} s"
            + ("" if ok else f"  <- {r.detail}")
        )
    print(f"{len(results) - bad}/{len(results)} reference notebooks at full marks on {args.device}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
