"""nbgrader's ``SaveAutoGrades`` with the job's gradebook read once and written in one commit.

The same preprocessor (nbgrader's ``preprocess_cell``, ``_add_score`` and ``_add_comment``: the
same scores, "needs manual grade" flags and "No response." comments), with
:class:`autograder.job_gradebook.JobGradebook` in place of nbgrader's ``Gradebook``: one query
for the notebook's grades and one for its comments instead of one per cell, and one commit
instead of one per grade and comment (:mod:`autograder.job_gradebook`).
"""

from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.preprocessors import SaveAutoGrades as NbgraderSaveAutoGrades

from ..job_gradebook import JobGradebook


class SaveAutoGrades(NbgraderSaveAutoGrades):
    def preprocess(self, nb, resources):
        # nbgrader's SaveAutoGrades.preprocess, with a JobGradebook and one commit
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.student_id = resources["nbgrader"]["student"]
        self.db_url = resources["nbgrader"]["db_url"]
        self.gradebook = JobGradebook(self.db_url)
        with self.gradebook, self.gradebook.one_commit():
            nb, resources = NbGraderPreprocessor.preprocess(self, nb, resources)
        return nb, resources
