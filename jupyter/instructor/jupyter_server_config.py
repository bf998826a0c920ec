"""JupyterLab for instructors (``make instructor``): every nbgrader extension (Formgrader,
Create Assignment, Course List, Assignment List) on the course directory ``instructor/``, whose
``nbgrader_config.py`` nbgrader reads from the server's working directory. What it sets:
``autograder.course.lab_config``."""

from autograder.course import lab_config

c = get_config()  # noqa: F821  (provided by traitlets when Jupyter loads this file)
lab_config(c, mode="instructor")
