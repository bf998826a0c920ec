"""How fast the course autograder grades a class, against stock ``nbgrader autograde``.

    .venv/bin/python benchmarks/grading.py                      # 12 students x every notebook
    .venv/bin/python benchmarks/grading.py --students 4 --notebooks 01_tensors 02_autograd
    .venv/bin/python benchmarks/grading.py --repo /path/to/older/checkout --json before.json
    .venv/bin/python benchmarks/grading.py --json after.json
    .venv/bin/python benchmarks/grading.py --compare before.json after.json

Builds a class (students cycle through full, partial and empty answers: the source notebook,
half of its exercises reset to the released stub, the released notebook), then grades it, in
one run, with ``autograde --workers 1``, ``autograde --workers 2`` (kernels forked from a
process with torch imported, the default), ``autograde --workers 2 --no-forkserver`` (every
kernel a new Python, as before the fork server) and stock nbgrader
(``nbgrader autograde notebooks`` for every student, through nbgrader's API, in one process).
Timings on a shared machine are noisy: rerun before trusting one.

What it prints, and ``--json`` keeps (one key per run, as printed, plus ``"benchmark"``):

- the class totals: seconds per notebook of each run and its speed-up over stock nbgrader;
- the ceiling of each run: the notebooks' own cells (time spent executing them, the guard's
  closing report cell included) perfectly split over the run's workers, ``cells / workers``,
  and the run's distance to it; also that ceiling with the cells as fast as in stock
  nbgrader's plain kernel;
- per notebook, the seconds per notebook of every run: the run's wall time shared out over its
  jobs in proportion to each job's own time (stock nbgrader's: to each notebook's conversion),
  so that the rows average to the class total; and the speed-up over stock per notebook;
- per notebook, inside one job: its time = the notebook's cells + overhead, and the overhead by
  phase: ``prepare`` (restore and scratch course), ``kernel_start`` (to the first cell, the
  kernel's imports included), ``nbgrader`` (the rest of the ``autograde`` phase: nbgrader's
  converters, gradebook, kernel shutdown), ``feedback``, any other phase a job records, and
  ``rest`` (the job's time outside its recorded phases: scratch folders, clean-up);
- per notebook, the cells' time inside the grader against stock nbgrader's plain kernel (whose
  cells also import torch and the course's helpers: the grader's kernels have them imported at
  kernel start, so a notebook whose cells are quick reads as faster inside the grader).

``--repo`` grades with another checkout's autograder (an older commit, to compare): its
``autograder`` and ``cs231n_tools`` are imported here, by the pool's workers and by every
kernel (through ``PYTHONPATH``), and its ``notebooks/`` are the default sources. Figures that
the older autograder's results do not record are shown as ``-``.

``--scheduler`` adds, in the same run, the class graded on a dask cluster on this machine
(``dask scheduler`` and 2 ``dask worker --nthreads 1``; goal: within 5% of the local pool's
2 workers), and the engine's own cost: per-job dispatch overhead (no-op jobs through
:func:`autograder.pool.run_jobs` and ``Client.get_executor``) and the scaling of 2, 4, 8 and 16
workers on jobs that only sleep (goal: >= 90% of linear)::

    .venv/bin/python benchmarks/grading.py --students 3 --notebooks 01_tensors --scheduler
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import math
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
KINDS = ("full", "partial", "empty")
W1, W2, NO_FORK = "autograde --workers 1", "autograde --workers 2", "  same, --no-forkserver"
STOCK = "stock nbgrader autograde"
DASK_RUN = "autograde on dask, 2 workers"
#: column headings of the per-notebook tables
SHORT = {W1: "w1", W2: "w2", NO_FORK: "w2 no-fork", DASK_RUN: "dask", STOCK: "stock"}
#: the phases of the overhead, in the order printed (others a job records come before "rest")
PHASE_ORDER = ("prepare", "kernel_start", "nbgrader", "feedback")
OVERHEAD_TARGET_S = 0.3


def use_repo(repo: Path) -> Path:
    """Import the autograder (and the course helpers) of ``repo`` here, in the pool's forked
    workers, in dask workers and in every kernel: first on ``sys.path`` and on ``PYTHONPATH``
    (which the grader passes on to its kernels), ahead of the editable install's finder."""
    repo = Path(repo).resolve()
    if not (repo / "autograder" / "__init__.py").is_file():
        raise SystemExit(f"--repo {repo}: no autograder/ package there")
    sys.path.insert(0, str(repo))
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(repo), *([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])]
    )
    import autograder

    found = Path(autograder.__file__).resolve().parent.parent
    if found != repo:
        raise SystemExit(f"--repo {repo}: autograder was already imported from {found}")
    return repo


# -- the class --------------------------------------------------------------------------------
def build_class(root: Path, source_dir: Path, names: list[str], students: int) -> tuple[Path, Path]:
    import nbformat

    from autograder.course import Course

    course = Course.create(root / "release-course", names, source_dir=source_dir)
    release = course.generate_release()
    subs = root / "submissions"
    for i in range(students):
        kind = KINDS[i % len(KINDS)]
        for name in names:
            src = nbformat.read(source_dir / f"{name}.ipynb", as_version=4)
            rel = nbformat.read(release / f"{name}.ipynb", as_version=4)
            if kind == "empty":
                nb = rel
            else:
                nb = copy.deepcopy(src)
                if kind == "partial":
                    stubs = {
                        c.metadata["nbgrader"]["grade_id"]: c.source
                        for c in rel.cells
                        if c.metadata.get("nbgrader", {}).get("solution")
                    }
                    sols = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
                    for c in sols[::2]:
                        c.source = stubs[c.metadata["nbgrader"]["grade_id"]]
            dest = subs / f"student{i:02d}" / f"{name}.ipynb"
            dest.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, dest)
    return subs, release


# -- the runs ---------------------------------------------------------------------------------
def set_up_once(subs: Path, root: Path, source_dir: Path, timeout: float) -> dict:
    """What a course does once per version of its sources and of torch, before the timed runs:
    the grading template and, for each thread count the runs use (cores / workers), the
    ``torch.compile`` cache of each notebook that compiles (:mod:`autograder.compile_cache`).
    Made by grading the first student's compiling notebooks once per thread count, as an
    instructor's first run would; returns the seconds each took (``{}`` for an autograder
    without a compile cache, as with ``--repo`` on an older checkout)."""
    import shutil

    try:
        from autograder.compile_cache import compiles
    except ImportError:
        return {}
    first = sorted(p for p in subs.iterdir() if p.is_dir())[0]
    names = [p.stem for p in sorted(first.glob("*.ipynb")) if compiles(source_dir / p.name)]
    if not names:
        return {}
    one = root / "set-up-submissions" / first.name
    one.mkdir(parents=True)
    for name in names:
        shutil.copy2(first / f"{name}.ipynb", one / f"{name}.ipynb")
    took = {}
    for workers in sorted({1, 2}):
        t0 = time.perf_counter()
        run_ours(one.parent, root / f"set-up-out{workers}", source_dir, workers, timeout)
        took[f"threads {max(1, (os.cpu_count() or 1) // workers)}"] = time.perf_counter() - t0
    return took


def job_row(res) -> dict:
    """The figures of one autograder result; a field an older autograder does not record is
    ``None`` (``phases``: empty)."""
    return {
        "student": res.student,
        "notebook": res.notebook,
        "status": str(res.status),
        "score": res.score,
        "wall_s": getattr(res, "wall_s", None),
        "cells_s": getattr(res, "cells_s", None),
        "kernel_start_s": getattr(res, "kernel_start_s", None),
        "phases": dict(getattr(res, "phases", None) or {}),
        "kernel": getattr(res, "kernel", None) or "",
        "worker_start_s": getattr(res, "worker_start_s", None),
    }


def run_ours(
    subs: Path,
    out: Path,
    source_dir: Path,
    workers: int,
    timeout: float,
    forkserver: bool = True,
    **kw,
) -> dict:
    from autograder.grade import autograde

    t0 = time.perf_counter()
    results = autograde(
        subs,
        out,
        workers=workers,
        forkserver=forkserver,
        source_dir=source_dir,
        timeout=timeout,
        force=True,
        progress=False,
        **kw,
    )
    wall = time.perf_counter() - t0
    return summarize_ours([job_row(r) for r in results], wall, workers)


@contextlib.contextmanager
def stock_timers(current: dict, rows: list[dict]):
    """Time stock nbgrader notebook by notebook, in this process, without changing what it
    does: each notebook's conversion (``Autograde.convert_single_notebook``: sanitizing,
    executing, saving grades), its cells (``Execute.preprocess_cell``) and its kernel start
    (from ``Execute.preprocess`` to the first code cell). ``current["student"]`` names whose
    notebooks are being graded; one row per notebook is appended to ``rows``."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute

    saved = {
        (cls, name): cls.__dict__.get(name)
        for cls, name in (
            (Autograde, "convert_single_notebook"),
            (Execute, "preprocess"),
            (Execute, "preprocess_cell"),
        )
    }
    convert0 = Autograde.convert_single_notebook
    preprocess0, cell0 = Execute.preprocess, Execute.preprocess_cell

    def convert(self, notebook_filename):
        row = {
            "student": current.get("student"),
            "notebook": Path(notebook_filename).stem,
            "cells_s": 0.0,
            "kernel_start_s": None,
        }
        current["row"] = row
        t0 = time.perf_counter()
        try:
            return convert0(self, notebook_filename)
        finally:
            row["convert_s"] = time.perf_counter() - t0
            rows.append(row)
            current.pop("row", None)

    def preprocess(self, nb, resources=None, km=None):
        current["t0"] = time.perf_counter()
        return preprocess0(self, nb, resources, km)

    def preprocess_cell(self, cell, resources, index):
        row = current.get("row")
        if row is None or cell.cell_type != "code":
            return cell0(self, cell, resources, index)
        if row["kernel_start_s"] is None:
            row["kernel_start_s"] = time.perf_counter() - current["t0"]
        t0 = time.perf_counter()
        try:
            return cell0(self, cell, resources, index)
        finally:
            row["cells_s"] += time.perf_counter() - t0

    Autograde.convert_single_notebook = convert
    Execute.preprocess, Execute.preprocess_cell = preprocess, preprocess_cell
    try:
        yield
    finally:
        for (cls, name), value in saved.items():
            if value is None:
                delattr(cls, name)
            else:
                setattr(cls, name, value)


def run_stock(subs: Path, root: Path, source_dir: Path, names: list[str]) -> dict:
    from autograder.course import Course

    course = Course.create(root / "stock-course", names, source_dir=source_dir)
    course.generate_release()
    students = sorted(p.name for p in subs.iterdir())
    for s in students:
        course.submit(s, {n: subs / s / f"{n}.ipynb" for n in names})
    scores, rows, current = {}, [], {}
    with stock_timers(current, rows):
        t0 = time.perf_counter()
        for s in students:  # what `nbgrader autograde notebooks` does: one student after another
            current["student"] = s
            for name, g in course.autograde(s).items():
                scores[(s, name)] = g.score
        wall = time.perf_counter() - t0
    for row in rows:
        row["score"] = scores.get((row["student"], row["notebook"]))
    return {**summarize_stock(rows, wall, len(students) * len(names)), "scores": scores}


# -- the figures ------------------------------------------------------------------------------
def _mean(values) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.fmean(values) if values else None


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _sub(a: float | None, b: float | None) -> float | None:
    return a - b if a is not None and b is not None else None


def share_out(wall: float, weights: list[float]) -> list[float]:
    """``wall`` split over the jobs in proportion to ``weights`` (evenly when all are 0): what
    each job cost the run, so that per-notebook figures add up to the class's."""
    total = sum(weights)
    if total <= 0:
        return [wall / len(weights)] * len(weights) if weights else []
    return [wall * w / total for w in weights]


def overhead_parts(row: dict) -> dict[str, float] | None:
    """A job's time outside its notebook's cells, by phase (``None`` when the job did not
    record its cells' time): the ``autograde`` phase is split into ``kernel_start``, the cells
    (not overhead) and ``nbgrader`` (the rest of it); other recorded phases are kept as they
    are; ``rest`` is the job's time outside every recorded phase."""
    cells, wall = row.get("cells_s"), row.get("wall_s")
    if cells is None or wall is None:
        return None
    start = row.get("kernel_start_s") or 0.0
    parts = {"kernel_start": start}
    for name, seconds in (row.get("phases") or {}).items():
        if name == "autograde":
            parts["nbgrader"] = seconds - start - cells
        else:
            parts[name] = seconds
    parts["rest"] = wall - cells - sum(parts.values())
    return _ordered(parts)


def _ordered(parts: dict) -> dict:
    known = [k for k in PHASE_ORDER if k in parts]
    others = sorted(k for k in parts if k not in PHASE_ORDER and k != "rest")
    return {k: parts[k] for k in [*known, *others, *(["rest"] if "rest" in parts else [])]}


def _mean_parts(rows: list[dict]) -> dict[str, float]:
    """The mean of each phase over the jobs that recorded their cells (0 where one lacks it)."""
    parts = [p for p in map(overhead_parts, rows) if p is not None]
    keys = _ordered(dict.fromkeys(k for p in parts for k in p))
    return {k: statistics.fmean(p.get(k, 0.0) for p in parts) for k in keys} if parts else {}


def _by_notebook(rows: list[dict], shares: list[float]) -> dict[str, tuple[list, list]]:
    groups: dict[str, tuple[list, list]] = {}
    for row, share in zip(rows, shares, strict=True):
        rs, ss = groups.setdefault(row["notebook"], ([], []))
        rs.append(row)
        ss.append(share)
    return groups


def _job_figures(rows: list[dict], shares: list[float], workers: int) -> dict:
    """What a set of jobs (a class, or one notebook's) cost: the figures shared by
    :func:`summarize_ours` and its per-notebook rows."""
    ok = [r for r in rows if r.get("cells_s") is not None and r.get("wall_s") is not None]
    n = len(rows)
    job_s = _mean(r["wall_s"] for r in ok)
    cells_s = _mean(r["cells_s"] for r in ok)
    ceiling = sum(r.get("cells_s") or 0.0 for r in rows) / n / workers if n and ok else None
    per = sum(shares) / n if n else None
    return {
        "n": n,
        "s_per_notebook": per,
        "statuses": dict(Counter(r["status"] for r in rows)),
        "job_s": job_s,
        "cells_s": cells_s,
        "kernel_start_s": _mean(r.get("kernel_start_s") for r in ok),
        "overhead_s": _sub(job_s, cells_s),
        "overhead_phases": _mean_parts(ok),
        "ceiling_s": ceiling,
        "distance_s": _sub(per, ceiling),
    }


def summarize_ours(rows: list[dict], wall: float, workers: int) -> dict:
    """One autograder run's figures from its jobs' rows (:func:`job_row`) and its wall time.

    Keys kept from earlier versions of this benchmark: ``wall_s``, ``n``, ``statuses``,
    ``job_s``, ``cells_s``, ``kernel_start_s`` (means over the jobs that ran their cells),
    ``phases`` (mean seconds of each recorded phase) and ``scores``."""
    shares = share_out(wall, [r.get("wall_s") or 0.0 for r in rows])
    figures = _job_figures(rows, shares, workers)
    ok = [r for r in rows if r.get("cells_s") is not None and r.get("wall_s") is not None]
    phase_names = dict.fromkeys(k for r in ok for k in r["phases"])
    return {
        "wall_s": wall,
        "n": len(rows),
        "workers": workers,
        "statuses": figures["statuses"],
        "kernels": dict(Counter(r.get("kernel") or "-" for r in rows)),
        # each local worker's start before its first job (in the run's wall time, in no job's)
        "worker_start_s": [
            r["worker_start_s"] for r in rows if r.get("worker_start_s") is not None
        ],
        "job_s": figures["job_s"],
        "cells_s": figures["cells_s"],
        "kernel_start_s": figures["kernel_start_s"],
        "phases": {k: statistics.fmean(r["phases"].get(k, 0.0) for r in ok) for k in phase_names},
        "s_per_notebook": wall / len(rows) if rows else None,
        "overhead_s": figures["overhead_s"],
        "overhead_phases": figures["overhead_phases"],
        "ceiling": {
            "workers": workers,
            "s_per_notebook": figures["ceiling_s"],
            "distance_s": _sub(wall / len(rows) if rows else None, figures["ceiling_s"]),
            "reached": _ratio(figures["ceiling_s"], wall / len(rows) if rows else None),
        },
        "per_notebook": {
            nb: _job_figures(rs, ss, workers) for nb, (rs, ss) in _by_notebook(rows, shares).items()
        },
        "jobs": rows,
        "scores": {(r["student"], r["notebook"]): r["score"] for r in rows},
    }


def summarize_stock(rows: list[dict], wall: float, n: int) -> dict:
    """Stock nbgrader's figures from its notebooks' rows (:func:`stock_timers`): seconds per
    notebook, each notebook's conversion, cells (a plain kernel's) and kernel start; ``setup_s``
    is the time per notebook outside conversions (nbgrader's per-student bookkeeping)."""
    shares = share_out(wall, [r["convert_s"] for r in rows])

    def figures(rs: list[dict], ss: list[float]) -> dict:
        convert, cells = _mean(r["convert_s"] for r in rs), _mean(r["cells_s"] for r in rs)
        return {
            "n": len(rs),
            "s_per_notebook": sum(ss) / len(rs),
            "convert_s": convert,
            "cells_s": cells,
            "kernel_start_s": _mean(r["kernel_start_s"] for r in rs),
            "overhead_s": _sub(convert, cells),
        }

    total = figures(rows, shares) if rows else {}
    cells = total.get("cells_s")
    return {
        "wall_s": wall,
        "n": n,
        "s_per_notebook": wall / n if n else None,
        "convert_s": total.get("convert_s"),
        "cells_s": cells,
        "kernel_start_s": total.get("kernel_start_s"),
        "overhead_s": total.get("overhead_s"),
        "setup_s": (wall - sum(r["convert_s"] for r in rows)) / n if n else None,
        "ceiling": {
            "workers": 1,
            "s_per_notebook": cells,
            "distance_s": _sub(wall / n if n else None, cells),
            "reached": _ratio(cells, wall / n if n else None),
        },
        "per_notebook": {
            nb: figures(rs, ss) for nb, (rs, ss) in _by_notebook(rows, shares).items()
        },
        "jobs": rows,
    }


def compare(runs: dict) -> None:
    """Add to every run its speed-ups over stock nbgrader (the class's and each notebook's),
    the speed-up it would have at its ceiling, that ceiling with the cells as fast as in stock
    nbgrader's plain kernel, and each notebook's cells against the plain kernel's."""
    stock = runs.get(STOCK)
    if stock is None:
        return
    plain = stock["per_notebook"]
    for r in runs.values():
        if "per_notebook" not in r:
            continue
        ceiling = r["ceiling"]
        r["speedup_vs_stock"] = _ratio(stock["s_per_notebook"], r["s_per_notebook"])
        ceiling["speedup_vs_stock"] = _ratio(stock["s_per_notebook"], ceiling["s_per_notebook"])
        plain_cells = _ratio(stock["cells_s"], ceiling["workers"])
        ceiling["plain_s_per_notebook"] = plain_cells
        ceiling["plain_speedup_vs_stock"] = _ratio(stock["s_per_notebook"], plain_cells)
        for nb, fig in r["per_notebook"].items():
            ref = plain.get(nb, {})
            fig["speedup_vs_stock"] = _ratio(ref.get("s_per_notebook"), fig["s_per_notebook"])
            fig["cells_vs_plain"] = _ratio(fig["cells_s"], ref.get("cells_s"))


# -- the report -------------------------------------------------------------------------------
def _f(x: float | None, spec: str = ".2f", suffix: str = "") -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:{spec}}{suffix}"


def _ours(runs: dict) -> list[str]:
    return [k for k, r in runs.items() if k != STOCK and "per_notebook" in r]


def _notebooks(runs: dict) -> list[str]:
    return list(dict.fromkeys(nb for r in runs.values() for nb in r.get("per_notebook", {})))


def format_totals(runs: dict) -> list[str]:
    lines = [
        f"{'run':28} {'notebooks':>9} {'total s':>9} {'s/notebook':>11} {'vs stock':>9}"
        f" {'ceiling':>8} {'distance':>9} {'reached':>8} {'ceiling x':>10} {'plain ceil x':>13}"
    ]
    for label, r in runs.items():
        if "per_notebook" not in r:
            continue
        c = r["ceiling"]
        lines.append(
            f"{label:28} {r['n']:9d} {r['wall_s']:9.1f} {_f(r['s_per_notebook']):>11}"
            f" {_f(r.get('speedup_vs_stock'), '.2f', 'x'):>9} {_f(c['s_per_notebook']):>8}"
            f" {_f(c['distance_s'], '+.2f'):>9} {_f(100 * (c['reached'] or math.nan), '.0f', '%'):>8}"
            f" {_f(c.get('speedup_vs_stock'), '.2f', 'x'):>10}"
            f" {_f(c.get('plain_speedup_vs_stock'), '.2f', 'x'):>13}"
        )
    lines.append(
        "ceiling: s/notebook if the run did nothing but the notebooks' cells, split perfectly over"
        " its workers (cells / workers); distance: s/notebook above it; reached: ceiling /"
        " s/notebook; ceiling x: the speed-up over stock at the ceiling; plain ceil x: the same"
        " with the cells as fast as in stock nbgrader's plain kernel"
    )
    return lines


def format_per_notebook(runs: dict) -> list[str]:
    labels = [*_ours(runs), *([STOCK] if STOCK in runs else [])]
    width = 16
    lines = [
        "per notebook: s/notebook of each run (its wall time shared out in proportion to each"
        " job's time) and its speed-up over stock nbgrader",
        f"{'notebook':22}" + "".join(f"{SHORT.get(k, k.strip()):>{width}}" for k in labels),
    ]
    for nb in [*_notebooks(runs), None]:
        cells = []
        for label in labels:
            r = runs[label]
            fig = r if nb is None else r["per_notebook"].get(nb, {})
            per, x = fig.get("s_per_notebook"), fig.get("speedup_vs_stock")
            cells.append(_f(per) if label == STOCK else f"{_f(per)} ({_f(x, '.2f', 'x')})")
        lines.append(f"{nb or 'all':22}" + "".join(f"{c:>{width}}" for c in cells))
    return lines


def format_overhead(label: str, r: dict) -> list[str]:
    phases = list(
        _ordered(
            dict.fromkeys(
                k
                for fig in [r, *r["per_notebook"].values()]
                for k in fig.get("overhead_phases", {})
            )
        )
    )
    widths = [max(len(k), 6) + 1 for k in phases]
    lines = [
        f"inside one job, per notebook (mean s), {label.strip()}: job = cells + overhead;"
        f" statuses {r['statuses']}" + (f"; kernels {r['kernels']}" if r.get("kernels") else ""),
        f"{'notebook':22}{'job':>7}{'cells':>7}{'overhead':>9} |"
        + "".join(f"{k:>{w}}" for k, w in zip(phases, widths, strict=True))
        + f" |{'s/nb':>7}{'ceiling':>8}{'distance':>9}",
    ]
    met, total = 0, 0
    for nb in [*r["per_notebook"], None]:
        fig = r if nb is None else r["per_notebook"][nb]
        parts = fig.get("overhead_phases", {})
        ceiling = fig["ceiling"]["s_per_notebook"] if nb is None else fig["ceiling_s"]
        distance = fig["ceiling"]["distance_s"] if nb is None else fig["distance_s"]
        if nb is not None and fig["overhead_s"] is not None:
            total += 1
            met += fig["overhead_s"] <= OVERHEAD_TARGET_S
        lines.append(
            f"{nb or 'all':22}{_f(fig['job_s']):>7}{_f(fig['cells_s']):>7}"
            f"{_f(fig['overhead_s']):>9} |"
            + "".join(f"{_f(parts.get(k)):>{w}}" for k, w in zip(phases, widths, strict=True))
            + f" |{_f(fig['s_per_notebook']):>7}{_f(ceiling):>8}{_f(distance, '+.2f'):>9}"
        )
    lines.append(
        f"overhead <= {OVERHEAD_TARGET_S} s in {met} of {total} notebooks"
        f" (all: {_f(r['overhead_s'])} s)"
    )
    starts = r.get("worker_start_s") or []
    if starts:
        lines.append(
            f"worker start, before its first job (fork server and first kernel; in the run's"
            f" s/notebook, in no job's overhead): {len(starts)} worker(s),"
            f" {', '.join(_f(s) for s in starts)} s"
        )
    return lines


def format_cells(runs: dict) -> list[str]:
    if STOCK not in runs:
        return []
    stock, labels = runs[STOCK], _ours(runs)
    width = 16
    lines = [
        "cells per notebook (mean s): inside the grader (x: against the plain kernel) and in stock"
        " nbgrader's plain kernel (its cells also pay the imports that the grader's kernels make"
        " at kernel start), with stock's conversion, kernel start and overhead",
        f"{'notebook':22}"
        + "".join(f"{SHORT.get(k, k.strip()):>{width}}" for k in labels)
        + f"{'plain':>8} |{'convert':>8}{'kernel_start':>13}{'overhead':>9}",
    ]
    for nb in [*_notebooks(runs), None]:
        ref = stock if nb is None else stock["per_notebook"].get(nb, {})
        cells = []
        for label in labels:
            fig = runs[label] if nb is None else runs[label]["per_notebook"].get(nb, {})
            x = _ratio(fig.get("cells_s"), ref.get("cells_s"))
            cells.append(f"{_f(fig.get('cells_s'))} ({_f(x, '.2f', 'x')})")
        lines.append(
            f"{nb or 'all':22}"
            + "".join(f"{c:>{width}}" for c in cells)
            + f"{_f(ref.get('cells_s')):>8} |{_f(ref.get('convert_s')):>8}"
            f"{_f(ref.get('kernel_start_s')):>13}{_f(ref.get('overhead_s')):>9}"
        )
    return lines


def format_report(runs: dict) -> str:
    """Every table of the benchmark, from the runs' figures (:func:`summarize_ours`,
    :func:`summarize_stock`, then :func:`compare`)."""
    blocks = [format_totals(runs), format_per_notebook(runs)]
    blocks += [format_overhead(label, runs[label]) for label in _ours(runs)]
    blocks.append(format_cells(runs))
    return "\n\n".join("\n".join(b) for b in blocks if b)


def scores_equal(runs: dict, label: str = W2) -> bool | None:
    if STOCK not in runs or label not in runs:
        return None
    ours = runs[label]["scores"]
    return all(ours.get(k) == v for k, v in runs[STOCK]["scores"].items())


def to_json(runs: dict, meta: dict) -> str:
    """The figures as JSON: every run under its label, as printed, less its ``scores`` (kept
    per job under ``jobs``), and ``"benchmark"``: what was graded, with which autograder."""
    data = {k: {kk: vv for kk, vv in v.items() if kk != "scores"} for k, v in runs.items()}
    return json.dumps({**data, "benchmark": meta}, indent=1)


def format_comparison(before: dict, after: dict) -> str:
    """Two ``--json`` files side by side (a checkout before a change, then after it): each
    run's seconds per notebook, speed-up over stock and overhead per job, then per notebook."""

    def head(data: dict) -> str:
        meta = data.get("benchmark", {})
        return (
            f"{meta.get('repo', '?')} ({meta.get('students', '?')} students x"
            f" {len(meta.get('notebooks', []))} notebooks; scores equal to stock:"
            f" {meta.get('scores_equal_stock', '?')})"
        )

    runs = [k for k, v in after.items() if isinstance(v, dict) and "per_notebook" in v]
    lines = [
        f"before: {head(before)}",
        f"after:  {head(after)}",
        "",
        f"{'run':28}{'s/notebook':>18}{'vs stock':>18}{'overhead s':>18}{'ceiling x':>18}",
    ]

    def pair(a, b, spec=".2f", suffix="") -> str:
        return f"{_f(a, spec, suffix)} -> {_f(b, spec, suffix)}"

    for label in runs:
        a, b = before.get(label, {}), after[label]
        lines.append(
            f"{label:28}{pair(a.get('s_per_notebook'), b.get('s_per_notebook')):>18}"
            f"{pair(a.get('speedup_vs_stock'), b.get('speedup_vs_stock'), '.2f', 'x'):>18}"
            f"{pair(a.get('overhead_s'), b.get('overhead_s')):>18}"
            f"{pair(a.get('ceiling', {}).get('speedup_vs_stock'), b['ceiling'].get('speedup_vs_stock'), '.2f', 'x'):>18}"
        )
    ours = [k for k in runs if k != STOCK]
    phases = _ordered(
        dict.fromkeys(
            k
            for data in (before, after)
            for r in ours
            for k in data.get(r, {}).get("overhead_phases", {})
        )
    )
    lines += [
        "",
        "overhead by phase, mean s per job",
        f"{'phase':28}" + "".join(f"{SHORT.get(k, k):>18}" for k in ours),
    ]
    for phase in phases:
        lines.append(
            f"{phase:28}"
            + "".join(
                f"{pair(before.get(k, {}).get('overhead_phases', {}).get(phase), after[k]['overhead_phases'].get(phase)):>18}"
                for k in ours
            )
        )
    for label in ours:
        a, b = before.get(label, {}).get("per_notebook", {}), after[label]["per_notebook"]
        lines += [
            "",
            f"per notebook, {label.strip()}",
            f"{'notebook':22}{'s/notebook':>18}{'vs stock':>18}{'job s':>18}{'cells s':>18}"
            f"{'overhead s':>18}",
        ]
        for nb, fb in b.items():
            fa = a.get(nb, {})
            lines.append(
                f"{nb:22}{pair(fa.get('s_per_notebook'), fb.get('s_per_notebook')):>18}"
                f"{pair(fa.get('speedup_vs_stock'), fb.get('speedup_vs_stock'), '.2f', 'x'):>18}"
                f"{pair(fa.get('job_s'), fb.get('job_s')):>18}"
                f"{pair(fa.get('cells_s'), fb.get('cells_s')):>18}"
                f"{pair(fa.get('overhead_s'), fb.get('overhead_s')):>18}"
            )
    return "\n".join(lines)


# -- the dask engine --------------------------------------------------------------------------
DASK = str(Path(sys.executable).with_name("dask"))


def start_dask(root: Path, workers: int) -> tuple[list[subprocess.Popen], Path]:
    """``dask scheduler`` and ``workers`` x ``dask worker --nthreads 1`` on this machine."""
    root.mkdir(parents=True, exist_ok=True)
    sched = root / "sched.json"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    log = open(root / "dask.log", "ab")  # noqa: SIM115 - closed below, the processes keep a copy
    procs = [
        subprocess.Popen(
            [
                DASK,
                "scheduler",
                "--port",
                "0",
                "--scheduler-file",
                str(sched),
                "--dashboard-address",
                ":0",
                "--host",
                "127.0.0.1",
            ],
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    ]
    while not sched.exists():
        time.sleep(0.2)
    procs += [
        subprocess.Popen(
            [
                DASK,
                "worker",
                "--scheduler-file",
                str(sched),
                "--nthreads",
                "1",
                "--host",
                "127.0.0.1",
            ],
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
            cwd=root,
        )
        for _ in range(workers)
    ]
    log.close()
    from distributed import Client

    with Client(scheduler_file=str(sched)) as client:
        client.wait_for_workers(workers, timeout=300)
    return procs, sched


def stop_dask(procs: list[subprocess.Popen]) -> None:
    for proc in reversed(procs):
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for proc in procs:
        proc.wait()


@dataclass(frozen=True)
class SleepJob:
    student: str
    notebook: str
    seconds: float


def sleep_job(job: SleepJob) -> float:
    time.sleep(job.seconds)
    return job.seconds


def engine_figures(dispatch_jobs: int, sleep_s: float, sizes: list[int]) -> dict:
    """The engine alone: no-op jobs (dispatch overhead per job) and sleep-only jobs on 2..16
    in-process workers (threads, one per worker: the scheduler's work is the same)."""
    from distributed import Client, LocalCluster

    from autograder.pool import Runner, run_jobs

    figures: dict = {"scaling": {}}
    for n in sizes:
        with (
            LocalCluster(
                n_workers=n, threads_per_worker=1, processes=False, dashboard_address=None
            ) as cluster,
            Client(cluster) as client,
        ):
            ex = client.get_executor(pure=False)
            runner = Runner(task=sleep_job, finish=lambda job, v: _Done(), window=lambda n=n: 2 * n)
            if n == sizes[0]:
                noop = [SleepJob(f"s{i}", "noop", 0.0) for i in range(dispatch_jobs)]
                t0 = time.perf_counter()
                run_jobs(noop, workers=n, executor=ex, progress=False, runner=runner)
                figures["dispatch_ms"] = 1000 * (time.perf_counter() - t0) / dispatch_jobs
            jobs = [SleepJob(f"s{i}", "sleep", sleep_s) for i in range(4 * n)]
            t0 = time.perf_counter()
            run_jobs(jobs, workers=n, executor=ex, progress=False, runner=runner)
            wall = time.perf_counter() - t0
            figures["scaling"][n] = {"wall_s": wall, "efficiency": 4 * sleep_s / wall}
    return figures


class _Done:
    status = "done"


def _print_engine(engine: dict, args) -> None:
    print(
        f"engine: dispatch overhead {engine['dispatch_ms']:.1f} ms per job "
        f"({args.dispatch_jobs} no-op jobs, {args.sizes[0]} workers)"
    )
    for n, fig in engine["scaling"].items():
        print(
            f"  {n:3d} workers, {4 * n} jobs of {args.sleep:g} s sleep: {fig['wall_s']:.2f} s, "
            f"{100 * fig['efficiency']:.0f}% of linear (goal >= 90%)"
        )


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--students", type=int, default=12)
    p.add_argument(
        "--notebooks", nargs="*", default=None, help="default: every course notebook that exists"
    )
    p.add_argument(
        "--repo",
        type=Path,
        default=REPO,
        help="grade with this checkout's autograder and course helpers (default: %(default)s)",
    )
    p.add_argument("--source", type=Path, default=None, help="default: REPO/notebooks")
    p.add_argument("--timeout", type=float, default=600)
    p.add_argument("--json", type=Path, default=None, help="also write the figures here")
    p.add_argument(
        "--scheduler",
        action="store_true",
        help="also grade on a dask cluster of 2 workers here, and measure the engine's cost",
    )
    p.add_argument("--dispatch-jobs", type=int, default=200, help="no-op jobs (with --scheduler)")
    p.add_argument("--sleep", type=float, default=2.0, help="seconds per sleep-only job")
    p.add_argument("--sizes", type=int, nargs="*", default=[2, 4, 8, 16], help="workers to scale")
    p.add_argument(
        "--engine-only", action="store_true", help="with --scheduler: only the engine's figures"
    )
    p.add_argument(
        "--compare",
        nargs=2,
        type=Path,
        metavar=("BEFORE.json", "AFTER.json"),
        help="only print two --json files side by side (grades nothing)",
    )
    args = p.parse_args(argv)
    if args.compare:
        before, after = (json.loads(path.read_text()) for path in args.compare)
        print(format_comparison(before, after))
        return 0
    repo = use_repo(args.repo)
    if args.engine_only:
        engine = engine_figures(args.dispatch_jobs, args.sleep, args.sizes)
        _print_engine(engine, args)
        return 0

    from autograder.course import NOTEBOOKS

    source = (args.source or repo / "notebooks").resolve()
    names = (
        args.notebooks
        or [n for n in NOTEBOOKS if (source / f"{n}.ipynb").exists()]
        or sorted(q.stem for q in source.glob("*.ipynb"))
    )
    with tempfile.TemporaryDirectory(prefix="cs231n-bench-") as tmp:
        root = Path(tmp)
        subs, _ = build_class(root, source, names, args.students)
        print(
            f"class: {args.students} students x {len(names)} notebooks ({', '.join(names)}),"
            f" kinds {KINDS}; autograder from {repo}"
        )
        setup = set_up_once(subs, root, source, args.timeout)
        if setup:
            print(
                "set-up, once per version of the sources and of torch (template, and the "
                "torch.compile cache for each thread count; not in the runs' times): "
                + ", ".join(f"{k}: {v:.1f} s" for k, v in setup.items())
            )
        runs = {}
        runs[W1] = run_ours(subs, root / "out1", source, 1, args.timeout)
        runs[W2] = run_ours(subs, root / "out2", source, 2, args.timeout)
        runs[NO_FORK] = run_ours(subs, root / "out3", source, 2, args.timeout, forkserver=False)
        runs[STOCK] = run_stock(subs, root, source, names)
        if args.scheduler:
            procs, sched = start_dask(root / "dask", 2)
            try:
                runs[DASK_RUN] = run_ours(
                    subs, root / "out-dask", source, 2, args.timeout, scheduler_file=sched
                )
            finally:
                stop_dask(procs)
            engine = engine_figures(args.dispatch_jobs, args.sleep, args.sizes)

    compare(runs)
    print()
    print(format_report(runs))
    same = scores_equal(runs)
    print(f"\nscores equal to stock nbgrader's: {same}")
    if args.scheduler:
        local, dask_run = runs[W2], runs[DASK_RUN]
        dask_same = dask_run["scores"] == local["scores"]
        ratio = dask_run["wall_s"] / local["wall_s"]
        print(
            f"\ndask, 2 workers: {dask_run['wall_s'] / dask_run['n']:.2f} s/notebook, "
            f"{ratio:.2f}x the local pool's time (goal <= 1.05); scores equal: {dask_same}"
        )
        _print_engine(engine, args)
        runs["engine"] = {**engine, "scores": {}}
    if args.json:
        meta = {
            "repo": str(repo),
            "source": str(source),
            "students": args.students,
            "notebooks": names,
            "kinds": list(KINDS),
            "cpus": os.cpu_count(),
            "scores_equal_stock": same,
            "overhead_target_s": OVERHEAD_TARGET_S,
            "set_up_s": setup,
        }
        args.json.write_text(to_json(runs, meta))
    return 0


if __name__ == "__main__":
    sys.exit(main())
