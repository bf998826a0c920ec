"""A warm ``torch.compile`` cache for graded kernels, built once from the instructor's notebook.

Why: a graded kernel has a ``/tmp`` and a home of its own, so ``torch.compile`` (Inductor) starts
from a cold cache in every kernel. 07's ungraded demo then generates and compiles its C++ anew in
every job, 5-25 s each, which a student running the notebook a second time on a laptop never
pays; the grader was slower on those cells than a plain kernel.

How:

- **Built once** per version of the sources, of torch and Python, of the job's device and
  threads (what Inductor's own keys depend on; :func:`cache_key`), for each source notebook that
  calls ``torch.compile`` (:func:`compiles`): the source notebook is graded like a submission,
  in the same sandbox and with the same limits, and what its kernel wrote to its Inductor and
  Triton caches is kept, with a manifest of every file's SHA-256, in the user's cache next to the
  grading templates (:func:`ensure`). Only the instructor's code writes it.
- **Copied, checked, per run**: the run grades from a copy in its private scratch folder, made
  and checked against the manifest when the run starts (:func:`for_run`), like the template.
- **Private per kernel**: each job's kernel gets a copy of its own in its home
  (``TORCHINDUCTOR_CACHE_DIR``, ``TRITON_CACHE_DIR``; :func:`seed`). It may add to it, and what
  it adds goes with its home: no kernel's compiled code ever reaches another kernel.

What stays honest: the kernel still runs ``torch.compile``; what it finds in the cache is what
the same code compiled to, keyed by Inductor on the graph, the configuration and the machine. A
student's own function that differs from the source's compiles from scratch, as before. When
the cache cannot be built (the source fails, no compiler), jobs run with a cold cache as before.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from .course import ASSIGNMENT
from .plan import MANIFEST, Job, intact, manifest, template_cache

#: the kernel's compile caches: environment variable -> folder under the kernel's ~/.cache
FOLDERS = {"TORCHINDUCTOR_CACHE_DIR": "torchinductor", "TRITON_CACHE_DIR": "triton"}
#: the kernel's compile settings, the same in the kernel that builds the cache and in every graded
#: one (Inductor's keys include its configuration). Precompiled headers are off: Inductor makes
#: them under the kernel's private /tmp, which dies with the kernel, so every graded kernel
#: rebuilt them (6 s here) before even looking at the cache; a cold compile is also faster
#: without them (11 s against 16 s for 07's demo).
SETTINGS = {"TORCHINDUCTOR_CPP_CACHE_PRECOMPILE_HEADERS": "0"}
#: the pseudo-student whose submission is the source notebook
WARM_STUDENT = "compile_cache"
#: what a source notebook's code must contain for a cache to be built for it
CALLS = "torch.compile("


def cache_root() -> Path:
    return template_cache().parent / "compile"


def kernel_env(home: Path) -> dict[str, str]:
    """The kernel's environment entries for ``torch.compile``: its compile caches in its own
    home, and :data:`SETTINGS`."""
    return {**{env: str(Path(home) / ".cache" / name) for env, name in FOLDERS.items()}, **SETTINGS}


def compiles(source: Path) -> bool:
    """Whether a source notebook's code calls ``torch.compile`` (read once per file)."""
    stat = Path(source).stat()
    return _compiles(str(source), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=256)
def _compiles(source: str, mtime_ns: int, size: int) -> bool:
    import nbformat

    nb = nbformat.read(source, as_version=4)
    return any(c.cell_type == "code" and CALLS in c.source for c in nb.cells)


def cache_key(job: Job) -> str:
    """The folder name of ``job``'s cache: its notebook, the sources' version and everything
    else Inductor's keys may depend on that is the same for a whole run."""
    try:
        import torch

        torch_version = torch.__version__
    except ImportError:
        torch_version = "none"
    parts = [
        job.source_hash,
        job.notebook,
        torch_version,
        sys.version,
        platform.machine(),
        job.device,
        str(job.threads),
        str(job.sandbox),
        *sorted(f"{k}={v}" for k, v in SETTINGS.items()),
    ]
    digest = hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]
    return f"{job.notebook}-{digest}"


def _warm_job(job: Job) -> Job:
    template = Path(job.template)
    return replace(
        job,
        student=WARM_STUDENT,
        path=str(template / ASSIGNMENT / f"{job.notebook}.ipynb"),
        notes=(),
        invalid=None,
        forkserver=False,  # a kernel of its own: nothing of the build stays in this process
        warm_into="",
    )


def build(job: Job, dest: Path) -> str | None:
    """Grade the source notebook of ``job`` with its settings and keep its kernel's compile
    caches in ``dest``; None when done, else why not."""
    from .job import grade

    with tempfile.TemporaryDirectory(prefix=".build-", dir=dest.parent) as tmp:
        into = Path(tmp) / "cache"
        into.mkdir()
        graded = grade(replace(_warm_job(job), warm_into=str(into)))
        res = graded.result
        if res.status != "graded":
            return f"the source notebook ended {res.status}: {res.detail}"[:300]
        if not any(p.is_file() for p in into.rglob("*")):
            return "the source notebook's kernel compiled nothing"
        (into / MANIFEST).write_text(json.dumps(manifest(into), indent=1))
        try:
            os.rename(into, dest)
        except OSError:  # another run made it first
            pass
    return None


def folder_for(job: Job) -> Path | None:
    """Where ``job``'s cache is kept, or None when its notebook does not call ``torch.compile``
    (or is not a source notebook of the template)."""
    source = Path(job.template) / ASSIGNMENT / f"{job.notebook}.ipynb"
    if not source.is_file() or not compiles(source):
        return None
    return cache_root() / cache_key(job)


def ensure(job: Job) -> tuple[Path | None, str | None, float]:
    """The checked cache for ``job``'s notebook, built first when missing or altered:
    (folder, why there is none, seconds spent building)."""
    folder = folder_for(job)
    if folder is None:
        return None, None, 0.0
    root = folder.parent
    root.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    if intact(folder):
        return folder, None, 0.0
    import fcntl

    with open(root / f".{folder.name}.lock", "w") as lock:  # one build per machine at a time
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not intact(folder):
            if folder.exists():
                shutil.rmtree(folder, ignore_errors=True)
            why = build(job, folder)
            if why is not None:
                return None, why, time.monotonic() - t0
    return (folder, None, time.monotonic() - t0) if intact(folder) else (None, "altered", 0.0)


def _ensure_apart(job: Job) -> tuple[Path | None, str | None, float]:
    """:func:`ensure`, building (when it must) in a process of its own: the coordinator keeps
    no kernel, event loop or socket of the build when it forks its pool's workers."""
    from .pool import make_executor

    folder = folder_for(job)
    if folder is None:
        return None, None, 0.0
    if intact(folder):
        return folder, None, 0.0
    ex = make_executor(1)
    try:
        return ex.submit(ensure, job).result()
    finally:
        ex.shutdown()


def for_run(jobs: list[Job], private: Path) -> tuple[list[Job], dict[str, dict]]:
    """``jobs`` with their compile cache: for each notebook that compiles, the checked cache
    (built first if needed) copied into the run's private folder and checked again there.
    Also returns, per notebook, what was done (``built_s``, or ``none``: why there is none)."""
    chosen: dict[str, str] = {}
    told: dict[str, dict] = {}
    for job in jobs:
        if job.invalid or job.notebook in told:
            continue
        folder, why, built_s = _ensure_apart(job)
        if folder is None and why is None:
            told[job.notebook] = {}
            continue
        told[job.notebook] = {"built_s": built_s} if why is None else {"none": why}
        if folder is None:
            continue
        copy = Path(private) / "compile" / folder.name
        shutil.copytree(folder, copy, symlinks=True)
        if intact(copy):
            chosen[job.notebook] = str(copy)
        else:
            told[job.notebook] = {"none": "the cache changed while it was copied"}
    return [replace(j, compile_cache=chosen.get(j.notebook, j.compile_cache)) for j in jobs], told


def seed(job: Job, home: Path) -> None:
    """Give the job's kernel its own copy of the run's compile cache (under its ``~/.cache``)."""
    if not job.compile_cache or not os.path.isdir(job.compile_cache):
        return
    cache = Path(home) / ".cache"
    cache.mkdir(parents=True, exist_ok=True)
    for name in FOLDERS.values():
        src = Path(job.compile_cache) / name
        if src.is_dir():
            shutil.copytree(src, cache / name, symlinks=False)


def harvest(home: Path, into: Path) -> None:
    """Keep what a warm-up kernel wrote to its compile caches (``into``, an empty folder)."""
    cache = Path(home) / ".cache"
    for name in FOLDERS.values():
        src = cache / name
        if src.is_dir():
            shutil.copytree(src, Path(into) / name, symlinks=False, ignore=_no_links)


def _no_links(folder: str, names: list[str]) -> list[str]:
    return [n for n in names if os.path.islink(os.path.join(folder, n))]


def missing(jobs: list[Job]) -> list[str]:
    """The notebooks among ``jobs`` that compile and whose cache is not built yet."""
    names = []
    for job in jobs:
        if job.invalid or job.notebook in names:
            continue
        folder = folder_for(job)
        if folder is not None and not intact(folder):
            names.append(job.notebook)
    return names
