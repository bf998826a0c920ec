"""Feedback pages show the student nothing they did not already have, and nothing live.

The leak corpus (``hostile/leaks/*.ipynb``, written by ``hostile/leaks/make_leaks.py``) is
graded in one class with honest students: whatever verdict the grader reaches on each (the
static gate and the tamper guard may stop some before they run), every page holds no line of
hidden test code and no live markup, and every honest student keeps exactly the grade they get
alone. Because those other defences may stop an attack before it prints anything, the page
builder is also fed, directly, a real autograded notebook whose outputs carry every payload
(hidden code printed, displayed, raised as an exception's name and message, 1 MB messages,
scripts), once through :func:`autograder.feedback.make_feedback` and once through the
instructor's ``nbgrader generate_feedback``.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from grading_helpers import (
    FIXTURE_COURSE,
    HOSTILE,
    grade,
    honest_class,
    make_job,
    put,
    source,
    with_solution,
)
from nbformat.v4 import new_output

from autograder.course import ASSIGNMENT
from autograder.feedback import clean_html, make_feedback
from autograder.preprocessors.redact_hidden_tests import (
    HIDDEN_FAILED,
    HIDDEN_RAN,
    MESSAGE_LIMIT,
    PASSED,
    WITHHELD,
    RedactHiddenTests,
    Secrets,
    capped,
    released_view,
    split_hidden,
)

LEAKS = HOSTILE / "leaks"
sys.path.insert(0, str(LEAKS))
from make_leaks import ALERT, NOTEBOOKS  # noqa: E402

#: elements a feedback page never has (the page itself has no script, frame or form)
FORBIDDEN_TAGS = {
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "form",
    "input",
    "button",
    "textarea",
    "svg",
    "link",
    "base",
}
#: elements the page's own <head> has, and no student content may add in its <body>
HEAD_ONLY = {"style", "meta", "title"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}


class LiveMarkup(HTMLParser):
    """What in a page could run: forbidden elements, event handlers, style attributes, script
    URLs, head-only elements in the body (each as a readable string)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.in_body = False

    def handle_starttag(self, tag, attrs):
        if tag == "body":
            self.in_body = True
        if tag in FORBIDDEN_TAGS or (self.in_body and tag in HEAD_ONLY):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            flat = re.sub(r"[\s\x00-\x1f]", "", (value or "")).lower()
            if name.startswith("on") or name == "style":
                self.found.append(f"<{tag} {name}=>")
            elif name in URL_ATTRIBUTES and flat.startswith(
                ("javascript:", "vbscript:", "data:text")
            ):
                self.found.append(f"<{tag} {name}={flat[:30]}>")

    handle_startendtag = handle_starttag


def live_markup(page: str) -> list[str]:
    parser = LiveMarkup()
    parser.feed(page)
    parser.close()
    return parser.found


def flat(text: str) -> str:
    """``text`` without whitespace or zero-width characters, lower-cased."""
    return re.sub(r"[\s\u200b-\u200f\u2060\ufeff]", "", text).lower()


def hidden_code() -> list[str]:
    """Every line of the fixture course's hidden tests that is code (not a comment, not only a
    string), flattened."""
    lines = []
    for path in FIXTURE_COURSE.glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            for region in split_hidden(cell.source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")[1]:
                for line in region.splitlines():
                    s = line.strip()
                    if s and not s.startswith(("#", '"', "'")) and len(flat(s)) >= 10:
                        lines.append(flat(s))
    assert len(lines) >= 4
    return lines


HIDDEN = hidden_code()


def page_text(page: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", page))


def leaked(text: str) -> list[str]:
    """The hidden code lines that ``text`` holds (compared flattened)."""
    body = flat(text)
    return [h for h in HIDDEN if h in body]


def check_page(page: str, what: str) -> str:
    """Assert ``page`` holds no hidden code (in its text or its markup) and nothing live;
    returns its text."""
    text = page_text(page)
    assert leaked(text) == [] and leaked(unescape(page)) == [], what
    assert "BEGIN HIDDEN" not in text.upper().replace("\u200b", ""), what
    assert live_markup(page) == [], (what, live_markup(page))
    return text


def verdicts(text: str) -> list[str]:
    return re.findall(r"^\s*((?:hidden )?test (?:passed|failed).*)$", text, re.M)


# -- the parts ---------------------------------------------------------------------------------
PAYLOADS = [
    f"<script>{ALERT}</script>",
    f'<img src="x" onerror="{ALERT}">',
    f'<a href="javascript:{ALERT}">x</a>',
    f'<a href="  JaVaScRiPt:{ALERT}">x</a>',
    '<iframe src="https://example.com/"></iframe>',
    f'<svg onload="{ALERT}"></svg>',
    "<style>body { display: none }</style>",
    f'<math><mtext><img src=x onerror="{ALERT}"></mtext></math>',
    f'<math><annotation-xml encoding="text/html"><script>{ALERT}</script></annotation-xml></math>',
    f'<p style="position:fixed;top:0">fake score</p><div onclick="{ALERT}">x</div>',
    f'<img src="data:text/html;base64,PHNjcmlwdD4=" alt="x"><a href="data:text/html,{ALERT}">d</a>',
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_clean_html_leaves_nothing_live(payload):
    assert live_markup("<body>" + payload)  # the control: the check sees it when left alone
    assert live_markup("<body>" + clean_html(payload)) == []


def test_clean_html_keeps_mathml_links_and_images():
    from autograder.preprocessors.render_math import render_math

    math = render_math("$\\frac{a}{b}^2$")
    kept = clean_html(
        f'<p>{math} <a href="https://pytorch.org/">docs</a> <a href="#top">top</a> '
        '<img src="data:image/png;base64,iVBORw0KGgo=" alt="plot"></p>'
    )
    assert math in kept
    assert 'href="https://pytorch.org/"' in kept and 'href="#top"' in kept
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in kept


HIDDEN_CELL = (
    "x = torch.randn(5)\n"
    "check_tensor(square(x), x**2)\n"
    "### BEGIN HIDDEN TESTS\n"
    "for shape in [(3,), (2, 4)]:\n"
    "    y = torch.randn(*shape, dtype=torch.float32)\n"
    '    assert torch.allclose(square(y).double(), y.double() ** 2), f"square is wrong on {shape}"\n'
    "### END HIDDEN TESTS"
)


def test_secrets_withhold_hidden_code_in_any_spelling_and_keep_messages():
    shown, hidden = split_hidden(HIDDEN_CELL, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
    secrets = Secrets(hidden, [shown])
    line = "assert torch.allclose(square(y).double(), y.double() ** 2)"
    assert secrets.quoted_in(f"oops: {line}")
    assert secrets.quoted_in("\u200b".join(line.upper()))  # zero-width spaces, upper case
    assert secrets.quoted_in("y = torch.randn(\n*shape, dtype=torch.float32)")  # split lines
    assert not secrets.quoted_in("square is wrong on (2, 4)")  # the assertion's own message
    assert not secrets.quoted_in("expected check_tensor(square(x), x**2) to pass")  # visible
    assert not secrets.quoted_in("tensor([0.1000, 0.2000]) != tensor([0.0100, 0.0400])")


def test_message_is_capped_named_and_scrubbed():
    long = capped("\x1b[31m<b>" + "A" * 10**6)
    assert len(long) == MESSAGE_LIMIT and long.endswith("…") and "\x1b" not in long
    tb = [
        "Cell In[7], line 5\n      4     y = torch.randn(*shape, dtype=torch.float32)\n"
        "----> 5     assert torch.allclose(square(y).double(), y.double() ** 2), 'm'\n"
    ]
    error = {
        "ename": "assert torch.allclose(square(y).double(), y.double() ** 2)",
        "evalue": "for shape in [(3,), (2, 4)]:",
        "traceback": tb,
    }
    assert RedactHiddenTests().message(HIDDEN_CELL, error) == HIDDEN_FAILED.format(
        error=f"Error: {WITHHELD}"
    )


def test_test_cells_read_as_released():
    shown, hidden = split_hidden(HIDDEN_CELL, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
    released = "x = torch.randn(5)\ncheck_tensor(square(x), x**2)\n"
    assert shown == released + HIDDEN_RAN and len(hidden) == 1
    assert released_view(shown, released) == shown
    assert released_view(shown, "other") == "other\n" + HIDDEN_RAN


def test_corpus_is_current():
    def cells(nb):
        return [{k: v for k, v in c.items() if k != "id"} for c in nb.cells]

    stale = [
        name
        for name, make in NOTEBOOKS.items()
        if cells(nbformat.read(LEAKS / f"{name}.ipynb", as_version=4)) != cells(make())
    ]
    assert stale == [], "run .venv/bin/python tests/autograder/hostile/leaks/make_leaks.py"


# -- a class with the leak corpus --------------------------------------------------------------
@pytest.fixture(scope="module")
def graded(tmp_path_factory, released):
    root = tmp_path_factory.mktemp("leaks")
    alone_subs, class_subs = root / "alone", root / "class"
    expected = honest_class(alone_subs, released)
    honest_class(class_subs, released)
    for name in NOTEBOOKS:
        put(class_subs, name, "01_square", LEAKS / f"{name}.ipynb")
    alone = grade(alone_subs, root / "out-alone", cell_timeout=20, timeout=60)
    together = grade(class_subs, root / "out-class", cell_timeout=20, timeout=60)
    return {"alone": alone, "class": together, "expected": expected, "root": root}


def page(out: Path, student: str, notebook: str = "01_square") -> str:
    return (out / "feedback" / student / ASSIGNMENT / f"{notebook}.html").read_text()


@pytest.mark.slow
def test_honest_grades_unchanged_by_the_corpus(graded):
    for key, score in graded["expected"].items():
        alone, together = graded["alone"][key], graded["class"][key]
        assert alone.score == score, (key, alone.status, alone.detail)
        assert (together.score, together.tests, together.status) == (
            alone.score,
            alone.tests,
            alone.status,
        ), key


@pytest.mark.slow
@pytest.mark.parametrize("name", list(NOTEBOOKS))
def test_corpus_pages_hide_hidden_tests_and_run_nothing(graded, name):
    out = graded["root"] / "out-class"
    text = check_page(page(out, name), name)
    assert text.count(HIDDEN_RAN) == 2  # both test cells, as released, hidden part marked
    assert page(out, name).count('class="output_area"') == 2  # one verdict per test cell
    for message in verdicts(text):
        assert len(message) < MESSAGE_LIMIT + 40


@pytest.mark.slow
def test_hidden_code_raised_by_the_student_is_withheld(graded):
    out = graded["root"] / "out-class"
    res = graded["class"][("stack_in_message", "01_square")]
    assert res.tests["test_double"] == [0.0, 1.0] and res.tests["test_square"] == [2.0, 2.0]
    assert verdicts(page_text(page(out, "stack_in_message"))) == [
        PASSED,
        HIDDEN_FAILED.format(error=f"Error: {WITHHELD}"),
    ]


@pytest.mark.slow
def test_a_megabyte_message_is_capped(graded):
    out = graded["root"] / "out-class"
    assert graded["class"][("huge_message", "01_square")].tests["test_double"] == [0.0, 1.0]
    failed = verdicts(page_text(page(out, "huge_message")))[1]
    assert failed.startswith("test failed: AssertionError: <script>") and failed.endswith("…")
    assert len(failed) <= len("test failed: AssertionError: ") + MESSAGE_LIMIT


@pytest.mark.slow
def test_the_attacks_reached_the_grading_run(graded):
    """The control: hidden code did get into the graded notebooks' outputs (so the pages above
    hid something that was there), and the pages of honest students are whole."""
    out = graded["root"] / "out-class"
    reached = []
    for name in NOTEBOOKS:
        nb = nbformat.read(out / "autograded" / name / ASSIGNMENT / "01_square.ipynb", 4)
        if leaked(outputs_text(nb)):
            reached.append(name)
    assert "stack_in_message" in reached, reached
    for student in ("alice", "bob", "carol"):
        text = check_page(page(out, student), student)
        assert "(Score:" in text and text.count(HIDDEN_RAN) == 2
    assert "hidden test failed: AssertionError: double is wrong on float64" in page_text(
        page(out, "bob")
    )


def outputs_text(nb) -> str:
    """Every text of every output of ``nb`` (ANSI codes removed)."""
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts += [str(out.get(k, "")) for k in ("text", "ename", "evalue")]
            parts += [str(v) for v in out.get("data", {}).values()]
            parts += [str(t) for t in out.get("traceback", [])]
    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", "\n".join(parts))


# -- the page builder fed every payload directly -----------------------------------------------
def hidden_regions() -> str:
    """The hidden tests of the fixture notebook 01_square, as one text."""
    regions = []
    for cell in source().cells:
        regions += split_hidden(cell.source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")[1]
    return "\n".join(regions)


def poisoned(graded_nb, hidden_text: str):
    """``graded_nb`` with every payload in the outputs of every code cell, and test_double
    failing in its hidden part with hidden code as the exception's name and message."""
    nb = copy.deepcopy(graded_nb)
    html = f'<script>{ALERT}</script><img src=x onerror="{ALERT}"><pre>{hidden_text}</pre>'
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs = list(cell.get("outputs", [])) + [
            new_output("stream", name="stdout", text=hidden_text),
            new_output("stream", name="stderr", text=hidden_text),
            new_output("display_data", data={"text/html": html, "text/plain": hidden_text}),
            new_output("display_data", data={"application/javascript": ALERT}),
            new_output("display_data", data={"text/markdown": hidden_text}),
            new_output("execute_result", data={"text/plain": hidden_text}, execution_count=1),
        ]
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "test_double":
            line = "assert torch.allclose(double(z), z + z)"
            cell.outputs.append(
                new_output(
                    "error",
                    ename=line,
                    evalue="\u200b".join(hidden_regions().upper()) + "A" * 10**6,
                    traceback=[f"Cell In[9], line 4\n----> 4 {line}\n", hidden_text],
                )
            )
    return nb


@pytest.mark.slow
def test_make_feedback_shows_no_output_of_the_grading_run(graded, tmp_path, released):
    from autograder.plan import prepare_template
    from autograder.restore import rebuild

    out = graded["root"] / "out-class"
    src = source()
    hidden_text = nbformat.writes(src)  # the whole source notebook, hidden tests and all
    real = nbformat.read(out / "autograded" / "alice" / ASSIGNMENT / "01_square.ipynb", 4)
    template = prepare_template(tmp_path, FIXTURE_COURSE)[0]
    release = nbformat.read(released / "01_square.ipynb", as_version=4)
    job = make_job(student="alice", template=str(template))
    tests = {"test_square": [2.0, 2.0], "test_double": [0.0, 1.0]}
    html = make_feedback(
        job=job,
        submitted=rebuild(src, src, release)[0],
        release=release,
        graded=poisoned(real, hidden_text),
        tests=tests,
    ).decode()
    text = check_page(html, "make_feedback")
    assert verdicts(text) == [PASSED, HIDDEN_FAILED.format(error=f"Error: {WITHHELD}")]
    assert "01_square (Score: 2.0 / 3.0)" in text
    assert text.count(HIDDEN_RAN) == 2
    assert html.count('class="output_area"') == 2  # one verdict per test cell, nothing else


@pytest.mark.slow
def test_instructor_generate_feedback_is_as_safe(graded):
    """``nbgrader generate_feedback`` in the grading folder (course settings: feedback_config)
    on the autograded notebooks, one of them poisoned."""
    out = graded["root"] / "out-class"
    path = out / "autograded" / "alice" / ASSIGNMENT / "01_square.ipynb"
    real = nbformat.read(path, as_version=4)
    nbformat.write(poisoned(real, nbformat.writes(source())), path)
    bindir = Path(sys.executable).parent
    result = subprocess.run(
        [str(bindir / "nbgrader"), "generate_feedback", ASSIGNMENT, "--force"],
        cwd=out,
        env=dict(os.environ, PATH=os.pathsep.join([str(bindir), os.environ["PATH"]])),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    students = ["alice", "bob", "carol", *NOTEBOOKS]
    for student in students:
        check_page(page(out, student), student)
    alice = page_text(page(out, "alice"))
    assert verdicts(alice) == [PASSED, PASSED]  # the gradebook says 3/3: its score decides
    assert page(out, "alice").count('class="output_area"') == 2
    assert verdicts(page_text(page(out, "bob")))[1] == HIDDEN_FAILED.format(
        error="AssertionError: double is wrong on float64"
    )


@pytest.mark.slow
def test_pages_made_with_the_template_memo_are_the_pages_made_without(tmp_path):
    """The template keeps what every page of a notebook shares (autograder.feedback.build_memos);
    a worker that takes it makes exactly the page it would have made from scratch."""
    import autograder.feedback as fb
    from autograder.plan import prepare_template

    template = prepare_template(None, FIXTURE_COURSE, private=tmp_path)[0]
    assert (template / fb.MEMO_DIR / "01_square.json").is_file()
    src = source()
    answer = with_solution(src, "double", "def double(x):\n    # mine\n    return x + x\n")
    release = nbformat.read(template / "release" / ASSIGNMENT / "01_square.ipynb", 4)
    tests = {"test_square": [2.0, 2.0], "test_double": [0.0, 1.0]}

    def page(ex) -> str:
        nb, resources = fb.feedback_notebook(
            nbformat.from_dict(answer), nbformat.from_dict(answer), release, tests, "01_square"
        )
        return ex.from_notebook_node(nb, resources)[0]

    fresh = page(fb._make_exporter())
    ex = fb._make_exporter()
    memo = json.loads((template / fb.MEMO_DIR / "01_square.json").read_text())
    ex.remember(memo)
    remembered = len(ex._remembered_highlight.made)
    assert remembered >= 4  # the locked and test cells, highlighted at build time
    assert page(ex) == fresh
    assert len(ex._remembered_highlight.made) == remembered + 1  # only the student's cell was new


@pytest.mark.slow
def test_the_template_keeps_the_hidden_code_that_a_page_withholds(tmp_path):
    """The memo's hidden-code secrets (RedactHiddenTests) are the ones a student's page makes
    from scratch, under the key that page looks up."""
    import autograder.feedback as fb
    from autograder.plan import prepare_template
    from autograder.preprocessors import redact_hidden_tests as rht

    template = prepare_template(None, FIXTURE_COURSE, private=tmp_path)[0]
    key, parts = json.loads((template / fb.MEMO_DIR / "01_square.json").read_text())["secrets"]
    assert parts["shingles"]  # 01_square has hidden tests
    answer = with_solution(source(), "double", "def double(x):\n    return x + 1\n")
    release = nbformat.read(template / "release" / ASSIGNMENT / "01_square.ipynb", 4)
    rht._SECRETS.clear()
    nb, resources = fb.feedback_notebook(answer, answer, release, {}, "01_square")
    _, made = fb._make_exporter().from_notebook_node(nb, resources)
    assert made["hidden_code_key"] == key
    assert rht.secrets_of(key).parts() == parts
