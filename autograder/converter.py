"""nbgrader's ``Autograde`` for one job's notebook, in memory and in one pass.

``nbgrader autograde`` (``nbgrader/converters/autograde.py``) grades a notebook in two nbconvert
passes with files in between. It reads the submission and sanitizes it (``sanitize_preprocessors``),
writes it to the autograded folder, reads it back, then executes and scores it
(``autograde_preprocessors``) and writes it again. nbconvert validates the whole notebook
against its JSON schema after every preprocessor, fourteen times. Before the passes, nbgrader
opens the gradebook five times: to create the student, to create the submission (a row for each
cell of all eight notebooks) and to give 0 to each notebook of the assignment that was not
submitted. Around a notebook's cells, that was most of the grader's own time per job.

:func:`autograde` runs the same preprocessors, nbgrader's and ours (configured by
:func:`autograder.preprocessors.configure_autograde`), in the same order, on the notebook in
memory. The preprocessors read and write the job's gradebook as they do under nbgrader. What
differs changes no score:

- the student and the submission are already in the job's gradebook, a copy of the template's
  :data:`JOB_GRADEBOOK` (:func:`build_job_gradebook`: the course's gradebook with one
  submission :data:`SUBMISSION` created, made with the template, once per version of the
  sources; the job's gradebook is its own; its student's name is never shown);
- the job's gradebook is always at the same path for a worker (:func:`fresh_gradebook` puts a
  new copy there for each job), and nbgrader's ``Gradebook`` gets that path's SQLAlchemy engine
  from :func:`share_engines` instead of a new one each time it is opened: an engine compiles
  each of nbgrader's ORM queries once, so a new engine per ``Gradebook`` (four per job) made
  every job compile about thirty queries again (``gradebook_scores`` alone: 25-35 ms with a
  new engine, 5 ms with a warm one). ``Gradebook.close`` disposes of the engine's connections,
  so the next job's copy is read from its own file;
- the notebook is validated once at the end of each pass (nbconvert's ``optimistic_validation``),
  not after every preprocessor, and not again when it is written;
- nbgrader's ``CheckCellMetadata`` builds its JSON-schema validator once per worker, not once per
  cell (:class:`autograder.preprocessors.CheckCellMetadata`);
- the other notebooks of the assignment are not given 0: only this notebook's scores are read.

The autograded notebook is written once, as nbgrader's ``NotebookExporter`` writes it. Scores
and feedback come from the same gradebook queries as before. ``tests/test_plain_nbgrader.py``
grades the same class with stock ``nbgrader autograde`` and checks that the scores are equal.
"""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
import traceback
from pathlib import Path

#: the student of every job's own gradebook (the job's scratch course holds one submission)
SUBMISSION = "submission"
INVALID_AFTER = "the notebook is not valid nbformat after nbgrader's {passname} pass: {error}"

#: the template's gradebook for one job (see :func:`build_job_gradebook`)
JOB_GRADEBOOK = "job-gradebook.db"
_FOLDERS: dict[str, Path] = {}


def build_job_gradebook(template: Path) -> None:
    """Put into ``template`` (being built) the gradebook every job starts from: its
    ``gradebook.db`` with the student :data:`SUBMISSION` and its submission of the assignment
    created (what nbgrader's ``Autograde.init_assignment`` does for each student: a row for
    each cell of every notebook, 0.1-0.3 s, once per worker before it was made here)."""
    from nbgrader.api import Gradebook

    from .course import ASSIGNMENT

    db = Path(template) / JOB_GRADEBOOK
    shutil.copy2(Path(template) / "gradebook.db", db)
    with Gradebook(f"sqlite:///{db}") as gb:
        gb.update_or_create_student(SUBMISSION)
        gb.update_or_create_submission(ASSIGNMENT, SUBMISSION)


def fresh_gradebook(template: Path, scratch_root: Path) -> Path:
    """A new copy of the template's :data:`JOB_GRADEBOOK` for the job this thread is about to
    grade, always at the same path for this worker and thread (see the module docstring), in a
    private folder of ``scratch_root``; replaced whole, so that nothing of the last job's file
    is read."""
    import threading

    folder = _FOLDERS.get(str(scratch_root))
    if folder is None or not folder.is_dir():
        folder = Path(tempfile.mkdtemp(prefix="gradebook-", dir=scratch_root))  # 0700
        _FOLDERS[str(scratch_root)] = folder
    path = folder / f"job-{os.getpid()}-{threading.get_ident()}.db"
    tmp = path.with_suffix(".tmp")
    shutil.copyfile(Path(template) / JOB_GRADEBOOK, tmp)
    os.replace(tmp, path)
    return path


_ENGINES: dict[tuple, object] = {}
#: engines kept per worker (one per gradebook path; a worker grades with one or two)
MAX_ENGINES = 8


def _shared_engine(url, **kw):
    """``sqlalchemy.create_engine``, one engine per URL and settings in this process."""
    import sqlalchemy

    key = (str(url), tuple(sorted((k, repr(v)) for k, v in kw.items())))
    engine = _ENGINES.get(key)
    if engine is None:
        while len(_ENGINES) >= MAX_ENGINES:
            _ENGINES.pop(next(iter(_ENGINES))).dispose()
        engine = _ENGINES[key] = sqlalchemy.create_engine(url, **kw)
    return engine


def _forget_after_fork() -> None:
    """A forked child makes its own engines (SQLAlchemy: an engine's connections must not cross
    a fork) and its own folder of job gradebooks; the parent's are left to the parent."""
    _ENGINES.clear()
    _FOLDERS.clear()


os.register_at_fork(after_in_child=_forget_after_fork)


def share_engines() -> None:
    """nbgrader's ``Gradebook`` in this process takes its engine from :func:`_shared_engine`
    (see the module docstring). ``Gradebook.close`` disposes of the engine's pooled
    connections as before; the engine and its compiled queries stay."""
    import nbgrader.api

    nbgrader.api.create_engine = _shared_engine


def resources_for(db_url: str, notebook: str, folder: Path):
    """The resources nbgrader's converter gives its preprocessors for ``notebook``."""
    from nbconvert.exporters.exporter import ResourcesDict

    from .course import ASSIGNMENT

    res = ResourcesDict()
    res["unique_key"] = notebook
    res["output_files_dir"] = f"{notebook}_files"
    res["nbgrader"] = {
        "student": SUBMISSION,
        "assignment": ASSIGNMENT,
        "notebook": notebook,
        "db_url": db_url,
    }
    res["metadata"] = ResourcesDict(name=notebook, path=str(folder))
    res["output_extension"] = ".ipynb"
    return res


def preprocessors(config, name: str) -> list:
    """``Autograde``'s list ``name`` of preprocessor classes: configured, else nbgrader's."""
    from nbgrader.converters import Autograde

    if name in config.Autograde:
        return list(config.Autograde[name])
    return list(Autograde.class_traits()[name].default())


def autograde(nb, *, config, log, db_url: str, notebook: str, folder: Path):
    """``nb`` (not changed) sanitized, executed and scored by nbgrader's preprocessors with
    ``config`` (``Autograde.autograde_preprocessors`` and the settings of ``configure_autograde``);
    returns the autograded notebook and its JSON text. The scores are in ``db_url``."""
    import nbformat
    from nbgrader import utils

    passes = [
        ("sanitize", preprocessors(config, "sanitize_preprocessors")),
        ("autograde", preprocessors(config, "autograde_preprocessors")),
    ]
    share_engines()
    nb = copy.deepcopy(nb)
    resources = resources_for(db_url, notebook, folder)
    try:
        for passname, classes in passes:
            made = [cls(config=config, log=log) for cls in classes]
            if passname == "autograde":
                with utils.setenv(NBGRADER_EXECUTION="autograde"):
                    for pp in made:
                        nb, resources = pp(nb, resources)
            else:
                for pp in made:
                    nb, resources = pp(nb, resources)
            try:
                nbformat.validate(nb, relax_add_props=True)
            except nbformat.ValidationError as exc:
                raise ValueError(
                    INVALID_AFTER.format(passname=passname, error=str(exc).splitlines()[0])
                ) from exc
    except Exception:
        log.error("%s", traceback.format_exc())  # the job's log, read by job._explain
        raise
    # nbformat.writes, without its second check of the schema (it only logs; the one above
    # raises, as nbconvert's exporter does)
    text = nbformat.v4.writes(nb)
    if not text.endswith("\n"):
        text += "\n"
    return nb, text
