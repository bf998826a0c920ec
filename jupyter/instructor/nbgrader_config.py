"""The exchange of ``make instructor``'s course directory, for nbgrader's Assignment List, which
reads its configuration again in the folder it fetches assignments to."""

from autograder.course import exchange_config

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)
exchange_config(c)
