"""Writes the feedback-leak corpus, ``hostile/leaks/<what_it_does>.ipynb``: submissions of the
fixture notebook ``fixtures/course/01_square.ipynb`` that try to put hidden test code, or live
HTML and JavaScript, into their own feedback page. Rerun after changing the fixture:
``.venv/bin/python tests/autograder/hostile/leaks/make_leaks.py``. The expected grade of each
file is in ``tests/autograder/test_feedback.py``'s ``EXPECTED``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_output, new_raw_cell

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # tests/autograder, also when run as a script
from grading_helpers import with_solution  # noqa: E402

SOURCE = HERE.parent.parent / "fixtures" / "course" / "01_square.ipynb"
#: a script that would run if the page let it: the tests look for it in live markup
ALERT = "alert('pwned')"

#: an added first cell: every cell's source, as IPython hands it to pre_run_cell hooks
RECORDER = """\
RECORDED = []
get_ipython().events.register("pre_run_cell", lambda info: RECORDED.append(info.raw_cell))
"""
#: an added last cell: the recorded sources (the hidden tests among them), every way there is
PRINT_RECORDED = """\
import sys
from IPython.display import HTML, Markdown, display
text = "\\n".join(RECORDED)
print(text)
print(text, file=sys.stderr)
display(HTML("<pre>" + text + "</pre>"))
display(Markdown(text))
text
"""
#: the same recorder, with every name the static gate (autograder.scan) reads spelled at run
#: time, so that it runs
RECORDER_SPELLED = """\
RECORDED = []
_shell = globals()["get_" + "ipython"]()
_events = getattr(_shell, "eve" + "nts")
getattr(_events, "regi" + "ster")("pre_run_cell", lambda info: RECORDED.append(info.raw_cell))
"""
#: the stack (whose lines IPython's line cache fills with the caller's code, hidden or not),
#: printed, and raised by the hidden test's call as an exception named by the hidden line and
#: worded by the stack (spaced out with zero-width spaces and upper-cased: a copy need not be
#: verbatim)
STACK_DOUBLE = """\
import traceback

CALLS = []

def double(x):
    \"\"\"Right for the visible test; the hidden one gets its own code back as the error.\"\"\"
    stack = "".join(traceback.format_stack())
    print(stack)
    CALLS.append(stack)
    if len(CALLS) == 1:
        return 2 * x
    line = stack.strip().splitlines()[-3].strip()
    raise type(line, (AssertionError,), {})("\\u200b".join(line.upper()) + stack)
"""
#: an assertion message of 1 MB, itself markup
HUGE_DOUBLE = (
    """\
def double(x):
    \"\"\"Fails every call with a 1 MB message.\"\"\"
    raise AssertionError("<script>%s</script>" + "A" * 1_000_000)
"""
    % ALERT
)
#: markdown, a raw cell and cell metadata that would be live markup in an unsanitised page
MARKDOWN = f"""\
# Notes

<script>{ALERT}</script>

<img src="x" onerror="{ALERT}">

[a link](javascript:{ALERT}) and <a href="javascript:{ALERT}">another</a>

<iframe src="https://example.com/"></iframe>

<svg onload="{ALERT}"><circle r="5"/></svg>

<style>body {{ display: none }}</style>

<form action="https://example.com/"><input name="q"></form>

<object data="https://example.com/x.swf"></object>

Math with markup inside: $\\text{{<script>{ALERT}</script>}}$ and $\\href{{javascript:{ALERT}}}{{x}}$
"""
RAW_HTML = f'<script>{ALERT}</script><img src="x" onerror="{ALERT}">'
#: displays of HTML and JavaScript, run by the grader
DISPLAYS = f"""\
from IPython.display import HTML, IFrame, Javascript, Markdown, SVG, display
display(HTML("<script>{ALERT}</script><img src=x onerror=\\"{ALERT}\\">"))
display(Javascript("{ALERT}"))
display(Markdown("<script>{ALERT}</script>"))
display(SVG('<svg xmlns="http://www.w3.org/2000/svg" onload="{ALERT}"><circle r="5"/></svg>'))
display(IFrame("https://example.com/", 300, 200))
HTML("<script>{ALERT}</script>")
"""


def source():
    return nbformat.read(SOURCE, as_version=4)


def records_raw_cells():
    nb = source()
    nb.cells.insert(1, new_code_cell(RECORDER))
    nb.cells.append(new_code_cell(PRINT_RECORDED))
    return nb


def records_raw_cells_spelled():
    nb = source()
    nb.cells.insert(1, new_code_cell(RECORDER_SPELLED))
    nb.cells.append(new_code_cell(PRINT_RECORDED))
    return nb


def stack_in_message():
    return with_solution(source(), "double", STACK_DOUBLE)


def huge_message():
    return with_solution(source(), "double", HUGE_DOUBLE)


def markdown_markup():
    nb = source()
    nb.cells.insert(1, new_markdown_cell(MARKDOWN))
    raw = new_raw_cell(RAW_HTML)
    raw.metadata["raw_mimetype"] = "text/html"
    nb.cells.insert(2, raw)
    tagged = new_code_cell("x = 1")
    tagged.metadata["tags"] = [f'" onmouseover="{ALERT}']
    nb.cells.insert(3, tagged)
    return nb


def displays_markup():
    nb = source()
    cell = new_code_cell(DISPLAYS)
    # outputs saved in the submitted file as well (the student's own run)
    cell.outputs = [
        new_output("display_data", data={"text/html": f"<script>{ALERT}</script>"}),
        new_output("display_data", data={"application/javascript": ALERT}),
    ]
    nb.cells.append(cell)
    return nb


NOTEBOOKS = {
    "records_raw_cells": records_raw_cells,
    "records_raw_cells_spelled": records_raw_cells_spelled,
    "stack_in_message": stack_in_message,
    "huge_message": huge_message,
    "markdown_markup": markdown_markup,
    "displays_markup": displays_markup,
}


def build(out: Path = HERE) -> list[Path]:
    written = []
    for name, make in NOTEBOOKS.items():
        path = out / f"{name}.ipynb"
        nbformat.write(make(), path)
        written.append(path)
    return written


if __name__ == "__main__":
    for p in build():
        print(p)
