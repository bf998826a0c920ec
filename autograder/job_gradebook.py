"""nbgrader's ``Gradebook`` for one job's notebook, read row by row once, written in one commit.

nbgrader's ``OverwriteCells`` and ``SaveAutoGrades`` look the gradebook up one cell at a time:
for each cell of the notebook a query with five or six joins (``find_source_cell``,
``find_graded_cell``, ``find_grade``, ``find_comment``), and ``SaveAutoGrades`` commits after
each grade and each comment (a write of the database file each time). On 04_modules that was
44 queries in ``OverwriteCells`` and 25 queries and 25 commits in ``SaveAutoGrades``:
40-90 ms of each job, as much as every other preprocessor of both passes together.

:class:`JobGradebook` answers the same ``find_*`` calls from one query per kind of row (the
same query as nbgrader's, without the cell's name), made on the first call for a notebook, and
:meth:`JobGradebook.one_commit` makes the commits of a block one. A name it did not load goes to
nbgrader's own method, which raises nbgrader's ``MissingEntry``. The rows are the session's, as
nbgrader's would be: what a preprocessor sets on them is written by the commit.
"""

from __future__ import annotations

from contextlib import contextmanager

from nbgrader.api import (
    Assignment,
    Comment,
    Grade,
    Gradebook,
    GradeCell,
    Notebook,
    SolutionCell,
    SourceCell,
    Student,
    SubmittedAssignment,
    SubmittedNotebook,
    TaskCell,
)


class _FlushOnCommit:
    """A session whose ``commit()`` only flushes (the block's changes are sent, not committed)."""

    def __init__(self, session) -> None:
        self._session = session

    def commit(self) -> None:
        self._session.flush()

    def __getattr__(self, name):
        return getattr(self._session, name)


class JobGradebook(Gradebook):
    """nbgrader's ``Gradebook`` with the rows of one notebook loaded at once (see the module
    docstring). For one job's gradebook: what it loaded is not read again, so changes made
    through another ``Gradebook`` meanwhile are not seen."""

    def __init__(self, db_url: str, **kw) -> None:
        super().__init__(db_url, **kw)
        self._loaded: dict[tuple, dict] = {}

    def _rows(self, kind: str, key: tuple, load) -> dict:
        rows = self._loaded.get((kind, key))
        if rows is None:
            rows = self._loaded[(kind, key)] = load(*key)
        return rows

    def _cells(self, cell, notebook: str, assignment: str) -> dict:
        """``find_source_cell``'s query (for ``cell``'s table) without the name: by name."""
        found = (
            self.db.query(cell)
            .join(Notebook, Notebook.id == cell.notebook_id)
            .join(Assignment, Assignment.id == Notebook.assignment_id)
            .filter(Notebook.name == notebook, Assignment.name == assignment)
        )
        return {row.name: row for row in found}

    def _submitted(self, row, cell, notebook: str, assignment: str, student: str) -> dict:
        """``find_grade``'s or ``find_comment``'s query (``row`` of the cells in ``cell``'s
        table) without the cell's name: by name."""
        found = (
            self.db.query(cell.name, row)
            .join(cell, cell.id == row.cell_id)
            .join(SubmittedNotebook, SubmittedNotebook.id == row.notebook_id)
            .join(Notebook, Notebook.id == SubmittedNotebook.notebook_id)
            .join(SubmittedAssignment, SubmittedAssignment.id == SubmittedNotebook.assignment_id)
            .join(Assignment, Assignment.id == SubmittedAssignment.assignment_id)
            .join(Student, Student.id == SubmittedAssignment.student_id)
            .filter(Notebook.name == notebook, Assignment.name == assignment, Student.id == student)
        )
        return dict(found.all())

    def find_source_cell(self, name: str, notebook: str, assignment: str):
        rows = self._rows("source", (notebook, assignment), lambda *k: self._cells(SourceCell, *k))
        return rows[name] if name in rows else super().find_source_cell(name, notebook, assignment)

    def find_graded_cell(self, name: str, notebook: str, assignment: str):
        # nbgrader looks for a grade cell, then for a task cell of that name
        rows = self._rows(
            "graded",
            (notebook, assignment),
            lambda *k: {**self._cells(TaskCell, *k), **self._cells(GradeCell, *k)},
        )
        return rows[name] if name in rows else super().find_graded_cell(name, notebook, assignment)

    def find_grade(self, grade_cell: str, notebook: str, assignment: str, student: str):
        rows = self._rows(
            "grade",
            (notebook, assignment, student),
            lambda *k: {
                **self._submitted(Grade, TaskCell, *k),
                **self._submitted(Grade, GradeCell, *k),
            },
        )
        if grade_cell in rows:
            return rows[grade_cell]
        return super().find_grade(grade_cell, notebook, assignment, student)

    def find_comment(self, solution_cell: str, notebook: str, assignment: str, student: str):
        rows = self._rows(
            "comment",
            (notebook, assignment, student),
            lambda *k: {
                **self._submitted(Comment, TaskCell, *k),
                **self._submitted(Comment, SolutionCell, *k),
            },
        )
        if solution_cell in rows:
            return rows[solution_cell]
        return super().find_comment(solution_cell, notebook, assignment, student)

    @contextmanager
    def one_commit(self):
        """The commits made in the block are flushes; one commit at its end (none if it raises:
        the session's changes are then rolled back when the gradebook closes)."""
        session = self.db
        self.db = _FlushOnCommit(session)
        try:
            yield self
        finally:
            self.db = session
        session.commit()
