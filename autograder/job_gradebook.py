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

    def _find(self, name: str, key: tuple, load, nbgraders_find):
        """``name``'s row among ``load(*key)``'s (loaded once per ``load`` and ``key``), else
        ``nbgraders_find(name, *key)`` (which raises nbgrader's ``MissingEntry``)."""
        rows = self._loaded.get((load, key))
        if rows is None:
            rows = self._loaded[(load, key)] = load(*key)
        return rows[name] if name in rows else nbgraders_find(name, *key)

    def _cells(self, tables, notebook: str, assignment: str) -> dict:
        """``find_source_cell``'s query without the name, for each table in ``tables``: by
        name (a later table's row wins)."""
        found = {}
        for cell in tables:
            found.update(
                (row.name, row)
                for row in self.db.query(cell)
                .join(Notebook, Notebook.id == cell.notebook_id)
                .join(Assignment, Assignment.id == Notebook.assignment_id)
                .filter(Notebook.name == notebook, Assignment.name == assignment)
            )
        return found

    def _submitted(self, row, tables, notebook: str, assignment: str, student: str) -> dict:
        """``find_grade``'s or ``find_comment``'s query (``row``: ``Grade`` or ``Comment``)
        without the cell's name, for the cells of each table in ``tables``: by name (a later
        table's row wins)."""
        found = {}
        for cell in tables:
            found.update(
                self.db.query(cell.name, row)
                .join(cell, cell.id == row.cell_id)
                .join(SubmittedNotebook, SubmittedNotebook.id == row.notebook_id)
                .join(Notebook, Notebook.id == SubmittedNotebook.notebook_id)
                .join(
                    SubmittedAssignment, SubmittedAssignment.id == SubmittedNotebook.assignment_id
                )
                .join(Assignment, Assignment.id == SubmittedAssignment.assignment_id)
                .join(Student, Student.id == SubmittedAssignment.student_id)
                .filter(
                    Notebook.name == notebook, Assignment.name == assignment, Student.id == student
                )
                .all()
            )
        return found

    # nbgrader looks for a grade (or solution) cell first, then for a task cell of that name
    def _source_cells(self, *key) -> dict:
        return self._cells([SourceCell], *key)

    def _graded_cells(self, *key) -> dict:
        return self._cells([TaskCell, GradeCell], *key)

    def _grades(self, *key) -> dict:
        return self._submitted(Grade, [TaskCell, GradeCell], *key)

    def _comments(self, *key) -> dict:
        return self._submitted(Comment, [TaskCell, SolutionCell], *key)

    def load(self, notebook: str, assignment: str, student: str) -> None:
        """Load every kind of row of ``notebook`` now (each is otherwise loaded by its first
        ``find_*``): a worker does it once before its first job to compile the queries."""
        for load, key in (
            (self._source_cells, (notebook, assignment)),
            (self._graded_cells, (notebook, assignment)),
            (self._grades, (notebook, assignment, student)),
            (self._comments, (notebook, assignment, student)),
        ):
            self._loaded[(load, key)] = load(*key)

    def find_source_cell(self, name: str, notebook: str, assignment: str):
        key = (notebook, assignment)
        return self._find(name, key, self._source_cells, super().find_source_cell)

    def find_graded_cell(self, name: str, notebook: str, assignment: str):
        key = (notebook, assignment)
        return self._find(name, key, self._graded_cells, super().find_graded_cell)

    def find_grade(self, grade_cell: str, notebook: str, assignment: str, student: str):
        key = (notebook, assignment, student)
        return self._find(grade_cell, key, self._grades, super().find_grade)

    def find_comment(self, solution_cell: str, notebook: str, assignment: str, student: str):
        key = (notebook, assignment, student)
        return self._find(solution_cell, key, self._comments, super().find_comment)

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
