"""What a grading run will do: the class's submissions as jobs, and the template they grade against.

A :class:`Job` is one (student, notebook): which course notebook a submitted file is (renamed
and duplicate files are matched or refused here), the settings it is graded with and where its
result goes (:mod:`autograder.results`). The *template* is an nbgrader course of the source notebooks with its
release and gradebook, built once per version of the sources (:func:`prepare_template`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .course import ASSIGNMENT, Course
from .results import (  # noqa: F401 - re-exported: they lived here before results.py
    GradingError,
    Result,
    file_hash,
    result_path,
    write_atomic,
)
from .sandbox import Limits

NO_SUBMISSIONS = "no submissions found in {path}: expected <student_id>/<notebook>.ipynb files"
NO_SOURCE = "no source notebooks (*.ipynb) in {path}"
NOT_A_COURSE_NOTEBOOK = "'{name}' matches none of the course's notebooks ({known})"
RENAMED = "submitted as '{name}': graded as {notebook}"
DUPLICATE_SUBMISSION = "'{name}' is a second copy of {notebook} (graded: '{kept}')"
INVALID = "{reason}"
SYMLINK = "'{name}' is a symbolic link, not a file: submit the notebook itself"
OUTSIDE = "'{name}' is not inside the submissions folder (a symbolic link leads out of it)"
LINKED = "'{name}' is reached through a symbolic link: submit the folder itself, not a link"
#: the file of a template listing every other file's SHA-256, checked whenever it is used
MANIFEST = "MANIFEST.json"
#: what a template folder holds (its name ends with it): 2 added the feedback memos, 3 the
#: job gradebook (autograder.converter.build_job_gradebook) and the memos' hidden-test secrets
TEMPLATE_FORMAT = "t3"
TEMPLATE_ALTERED = (
    "the cached grading template {path} changes while it is read (another process is writing "
    "it): stop what writes there, or set CS231N_AUTOGRADER_CACHE to a folder of your own"
)


@dataclass(frozen=True)
class Job:
    student: str
    notebook: str  # the course notebook it is graded as
    path: str  # the submitted file
    out: str  # the output folder
    template: str  # course dir with the source notebooks, release and gradebook template
    source_hash: str
    timeout: float
    cell_timeout: float
    device: str
    limits: Limits
    sandbox: bool
    threads: int
    forkserver: bool = True
    notes: tuple[str, ...] = ()
    invalid: str | None = None
    #: the run's private scratch folder (made by the coordinator, removed at the run's end);
    #: empty: the system's temporary folder (a cluster worker's own)
    scratch_root: str = ""
    #: the run's checked copy of this notebook's compile cache (:mod:`autograder.compile_cache`),
    #: copied into the kernel's home; empty: none
    compile_cache: str = ""
    #: only for the job that builds that cache: where its kernel's compile caches are kept
    warm_into: str = ""

    @property
    def result_path(self) -> Path:
        return result_path(Path(self.out), self.student, self.notebook)


def source_notebooks(source_dir: Path) -> list[str]:
    names = sorted(p.stem for p in Path(source_dir).glob("*.ipynb"))
    if not names:
        raise GradingError(NO_SOURCE.format(path=source_dir))
    return names


def _hash_sources(source_dir: Path, names: list[str]) -> str:
    h = hashlib.sha256()
    for name in names:
        h.update(name.encode())
        h.update((Path(source_dir) / f"{name}.ipynb").read_bytes())
    return h.hexdigest()[:16]


#: the course's code whose version must match between a coordinator and its workers
COURSE_CODE = ("autograder", "cs231n_tools")


def course_hash(source_hash: str) -> str:
    """The version of the course a job is graded with: the source notebooks (``source_hash``,
    see :func:`prepare_template`) and the code of :data:`COURSE_CODE` that grades them. A
    cluster worker whose course hash differs from the coordinator's refuses its jobs."""
    from .course import REPO_ROOT

    h = hashlib.sha256(source_hash.encode())
    for pkg in COURSE_CODE:
        for path in sorted((REPO_ROOT / pkg).rglob("*.py")):
            h.update(path.relative_to(REPO_ROOT).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def template_cache() -> Path:
    """Where generated templates are kept (``$CS231N_AUTOGRADER_CACHE``, else the user's cache)."""
    env = os.environ.get("CS231N_AUTOGRADER_CACHE")
    base = (
        Path(env)
        if env
        else Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
        / "cs231n"
        / "autograder"
    )
    return base / "templates"


def manifest(root: Path) -> dict[str, str]:
    """``{relative path: SHA-256}`` of every file under ``root`` but the manifest itself."""
    root = Path(root)
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


def intact(template: Path) -> bool:
    """Whether every file of a cached folder (a template, a compile cache) is the one it was
    built with, as its manifest lists, and no other."""
    try:
        expected = json.loads((template / MANIFEST).read_text())
        return (
            not any(p.is_symlink() for p in template.rglob("*")) and manifest(template) == expected
        )
    except (OSError, ValueError):
        return False


def _build_template(template: Path, digest: str, names: list[str], source_dir: Path) -> None:
    template.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=f".{digest}-", dir=template.parent))
    try:
        course = Course.create(build, names, source_dir=Path(source_dir))
        course.generate_release()
        from .converter import build_job_gradebook
        from .feedback import build_memos

        build_job_gradebook(build)  # the gradebook each job starts from
        build_memos(build)  # what every feedback page of a notebook shares, rendered once
        (build / "SOURCE_HASH").write_text(digest)
        (build / MANIFEST).write_text(json.dumps(manifest(build), indent=1))
        try:
            os.rename(build, template)
        except OSError:  # another run made it first
            pass
    finally:
        shutil.rmtree(build, ignore_errors=True)


def prepare_template(
    out: Path | None, source_dir: Path, *, private: Path | None = None
) -> tuple[Path, str, list[str]]:
    """An nbgrader course of the sources with its release and gradebook (``nbgrader
    generate_assignment``), made once per version of the sources and kept in
    :func:`template_cache` (built in a temporary folder, then renamed into place), with a
    manifest of its files' hashes.

    The cache is shared by every run of this user, so it is never trusted by its folder's name
    alone: each use checks every file against the manifest (a cache entry that differs is built
    again). With ``private`` (the run's own scratch folder, which kernels cannot write) the run
    grades against a copy made there, checked again after copying: whatever happens to the
    cache during the run, its jobs read only that copy."""
    names = source_notebooks(source_dir)
    digest = _hash_sources(source_dir, names)
    template = template_cache() / f"{digest}-{TEMPLATE_FORMAT}"
    for _ in range(3):
        if intact(template):
            break
        if template.exists():  # altered or half-made: set aside, then built again
            aside = template.with_name(f".{digest}-stale-{os.getpid()}")
            try:
                os.rename(template, aside)
            except OSError:
                pass
            shutil.rmtree(aside, ignore_errors=True)
        _build_template(template, digest, names, source_dir)
    else:
        raise GradingError(TEMPLATE_ALTERED.format(path=template))
    if private is None:
        return template, digest, names
    copy = Path(private) / "template"
    shutil.copytree(template, copy, symlinks=True)
    if not intact(copy):
        shutil.rmtree(copy, ignore_errors=True)
        raise GradingError(TEMPLATE_ALTERED.format(path=template))
    return copy, digest, names


def _normal(name: str) -> str:
    name = re.sub(r"(-copy\d*| \(\d+\)|_\d+$| copy$)", "", name.lower())
    return re.sub(r"[^a-z0-9]", "", name)


def match_notebook(path: Path, names: list[str], template: Path) -> tuple[str | None, str | None]:
    """The course notebook a submitted file is, and a note when it was renamed."""
    stem = path.stem
    if stem in names:
        return stem, None
    by_norm = {_normal(n): n for n in names}
    if _normal(stem) in by_norm:
        return by_norm[_normal(stem)], RENAMED.format(
            name=path.name, notebook=by_norm[_normal(stem)]
        )
    for n in names:  # "01_tensors_final", "my 01_tensors"
        if _normal(n) in _normal(stem):
            return n, RENAMED.format(name=path.name, notebook=n)
    try:
        from .restore import grade_id, read_submission

        nb = read_submission(path)
    except Exception:  # noqa: BLE001 - unreadable: graded as invalid under its own name
        return None, None
    gids = {grade_id(c) for c in nb.cells} - {None}
    best, overlap = None, 0
    for n in names:
        src = read_source(template, n)
        common = len(
            gids
            & {
                grade_id(c)
                for c in src.cells
                if grade_id(c) and grade_id(c) not in ("setup", "seed")
            }
        )
        if common > overlap:
            best, overlap = n, common
    if best:
        return best, RENAMED.format(name=path.name, notebook=best)
    return None, None


def read_source(template: Path, name: str):
    import nbformat

    return nbformat.read(template / ASSIGNMENT / f"{name}.ipynb", as_version=4)


def find_submissions(submissions: Path) -> dict[str, list[Path]]:
    """student -> submitted notebooks, from ``<student>/*.ipynb`` (or ``<student>/notebooks/``).

    Symbolic links are listed too (never followed here): :func:`refused_path` turns them into
    ``invalid_notebook`` rows, so that a link to a file the grader can read (the source
    notebook with its solutions, another student's work) is never graded or copied."""
    found: dict[str, list[Path]] = {}
    for student_dir in sorted(
        p
        for p in Path(submissions).iterdir()
        if p.is_dir() and not p.name.startswith(".")  # is_dir follows a linked folder
    ):
        files = sorted(student_dir.glob("*.ipynb")) + sorted(
            (student_dir / ASSIGNMENT).glob("*.ipynb")
        )
        if files:
            found[student_dir.name] = files
    if not found:
        raise GradingError(NO_SUBMISSIONS.format(path=submissions))
    return found


def refused_path(path: Path, submissions: Path) -> str | None:
    """Why a submitted ``path`` is not graded at all: it is a symbolic link, or it is reached
    through one (a linked student folder), outside ``submissions`` or not; else None."""
    path = Path(path)
    if path.is_symlink():
        return SYMLINK.format(name=path.name)
    name = f"{path.parent.name}/{path.name}"
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return OUTSIDE.format(name=name)
    root = Path(submissions).resolve()
    if not real.is_relative_to(root) or not real.is_file():
        return OUTSIDE.format(name=name)
    if real != root / path.relative_to(submissions):  # a link on the way inside SUBMISSIONS
        return LINKED.format(name=name)
    return None


def plan_jobs(submissions: Path, names: list[str], template: Path, **common) -> list[Job]:
    jobs: list[Job] = []
    for student, files in find_submissions(submissions).items():
        taken: dict[str, str] = {}
        ordered = sorted(files, key=lambda p: (p.stem not in names, p.name))  # exact names first
        for path in ordered:
            invalid = refused_path(path, submissions)
            if invalid:  # never opened: its name is all that is used
                jobs.append(_job(student, path, path.stem, template, [], invalid, common))
                continue
            notebook, note = match_notebook(path, names, template)
            notes = [note] if note else []
            if notebook is None:
                notebook = path.stem
                from .restore import read_submission

                try:
                    read_submission(path)
                    invalid = NOT_A_COURSE_NOTEBOOK.format(name=path.name, known=", ".join(names))
                except ValueError as exc:
                    invalid = INVALID.format(reason=str(exc))
            elif notebook in taken:
                invalid = DUPLICATE_SUBMISSION.format(
                    name=path.name, notebook=notebook, kept=taken[notebook]
                )
                notebook, notes = path.stem, []
            else:
                taken[notebook] = path.name
            jobs.append(_job(student, path, notebook, template, notes, invalid, common))
    return jobs


def _job(student, path, notebook, template, notes, invalid, common) -> Job:
    return Job(
        student=student,
        notebook=notebook,
        path=str(path),
        template=str(template),
        notes=tuple(notes),
        invalid=invalid,
        **common,
    )
