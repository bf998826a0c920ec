"""nbgrader's ``OverwriteCells`` with the notebook's cells read from the gradebook at once.

The same preprocessor (nbgrader's ``preprocess_cell`` and its restoring of missing grade and
task cells), with :class:`autograder.job_gradebook.JobGradebook` in place of nbgrader's
``Gradebook``: one query for the notebook's source cells and two for its graded cells instead
of one or two per cell (:mod:`autograder.job_gradebook`).
"""

from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.preprocessors import OverwriteCells as NbgraderOverwriteCells

from ..job_gradebook import JobGradebook


class OverwriteCells(NbgraderOverwriteCells):
    def preprocess(self, nb, resources):
        # nbgrader's OverwriteCells.preprocess, with a JobGradebook
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.db_url = resources["nbgrader"]["db_url"]
        self.gradebook = JobGradebook(self.db_url)
        with self.gradebook:
            nb, resources = NbGraderPreprocessor.preprocess(self, nb, resources)
            if self.add_missing_cells:
                nb, resources = self.add_missing_grade_cells(nb, resources)
                nb, resources = self.add_missing_task_cells(nb, resources)
        return nb, resources
