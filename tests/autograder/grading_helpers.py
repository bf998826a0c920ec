"""Helpers of the autograder's tests: a tiny nbgrader course (fixtures/course/), submissions
made from it, and grading a class quickly (small limits, short time-outs).

A module of its own, not ``conftest``: pytest imports every folder's ``conftest.py`` under that
one name, so ``from conftest import ...`` could find another folder's (tests/browser/)."""

from __future__ import annotations

import copy
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

FIXTURE_COURSE = HERE / "fixtures" / "course"
HOSTILE = HERE / "hostile"
#: the fixture notebooks as they were when the test session started (before any grading)
FIXTURE_BYTES = {p.name: p.read_bytes() for p in sorted(FIXTURE_COURSE.glob("*.ipynb"))}

#: fast settings for grading the fixture notebooks
FAST = dict(timeout=60, cell_timeout=12, workers=2, progress=False)


def source(name: str = "01_square"):
    return nbformat.read(FIXTURE_COURSE / f"{name}.ipynb", as_version=4)


def with_solution(nb, grade_id: str, code: str):
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            cell.source = code
            return nb
    raise KeyError(grade_id)


def put(root: Path, student: str, name: str, nb_or_path) -> Path:
    dest = root / student / f"{name}.ipynb"
    dest.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(nb_or_path, (str, Path)):
        shutil.copy2(nb_or_path, dest)
    else:
        nbformat.write(nb_or_path, dest)
    return dest


def limits():
    from autograder.sandbox import GiB, Limits

    return Limits(memory_bytes=2 * GiB, cpu_seconds=120, processes=48)


def honest_class(root: Path, released_dir: Path) -> dict[tuple[str, str], float]:
    """alice: full answers; bob: 'double' wrong; carol: nothing answered. Returns expected scores."""
    put(root, "alice", "01_square", source())
    put(root, "alice", "02_mean", source("02_mean"))
    put(
        root,
        "bob",
        "01_square",
        with_solution(source(), "double", "def double(x):\n    return x + 1\n"),
    )
    put(root, "carol", "01_square", released_dir / "01_square.ipynb")
    return {
        ("alice", "01_square"): 3,
        ("alice", "02_mean"): 2,
        ("bob", "01_square"): 2,
        ("carol", "01_square"): 0,
    }


def grade(submissions: Path, out: Path, **kw):
    from autograder.grade import autograde

    args = {**FAST, "source_dir": FIXTURE_COURSE, "limits": limits(), **kw}
    return {(r.student, r.notebook): r for r in autograde(submissions, out, **args)}


def make_job(**fields):
    """An :class:`autograder.plan.Job` with small test defaults; ``fields`` override them."""
    from autograder.plan import Job

    args = dict(
        student="s",
        notebook="01_square",
        path="/nonexistent/01_square.ipynb",
        out="/o",
        template="",
        source_hash="",
        timeout=10,
        cell_timeout=5,
        device="cpu",
        limits=limits(),
        sandbox=False,
        threads=1,
    )
    return Job(**{**args, **fields})


# -- the processes and scratch folders of a grading run -----------------------------------------
def short_tmp() -> Path:
    """A temporary folder of the test's own, short enough to stay the run's (see
    :data:`autograder.job.SHORT_TMP`), so that what is left there can be seen."""
    return Path(tempfile.mkdtemp(prefix="cs231n-t-", dir="/tmp"))


def run_processes(marker: str) -> list[tuple[int, str]]:
    """Live processes whose command line or working folder mentions ``marker``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        base = f"/proc/{entry}"
        try:
            with open(f"{base}/stat") as fh:
                if fh.read().rsplit(")", 1)[1].split()[0] == "Z":
                    continue
            seen = [Path(f"{base}/cmdline").read_bytes().replace(b"\0", b" ").decode()]
            seen.append(os.readlink(f"{base}/cwd"))
        except (OSError, IndexError):
            continue
        if any(marker in s for s in seen):
            found.append((int(entry), seen[0][:200]))
    return found


def wait_gone(marker: str, seconds: float = 10) -> list[tuple[int, str]]:
    deadline = time.monotonic() + seconds
    while (left := run_processes(marker)) and time.monotonic() < deadline:
        time.sleep(0.3)
    return left


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False
