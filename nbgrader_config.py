"""nbgrader configuration: the repository is the course directory.

With it, plain nbgrader commands work at the repository's top (see README.md, "Instructors"):
``nbgrader generate_assignment notebooks``, ``nbgrader autograde notebooks``, ...
"""

import os

from autograder.course import apply_config

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)
apply_config(c, os.path.dirname(os.path.abspath(__file__)))
