"""nbgrader configuration of the instructor's course directory (``make instructor``).

Run nbgrader here (``cd instructor && nbgrader generate_assignment notebooks``) or use the
Formgrader of ``make instructor``: sources in ``source/notebooks`` (the repository's
``notebooks/``), gradebook, outputs and the exchange in this folder, which git ignores.
"""

import os

from autograder.course import instructor_config

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)
instructor_config(c, os.path.dirname(os.path.abspath(__file__)))
