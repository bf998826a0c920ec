"""JupyterLab for students (``make lab``): on ``JUPYTER_CONFIG_PATH`` with
``labconfig/page_config.json`` beside it. What it sets: ``autograder.course.lab_config``."""

from autograder.course import lab_config

c = get_config()  # noqa: F821  (provided by traitlets when Jupyter loads this file)
lab_config(c, mode="student")
