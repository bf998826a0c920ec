"""The feedback page a student gets back for one graded notebook.

The page is built from what the student already has, the submission as graded
(:mod:`autograder.restore`: the student's cells on the source's skeleton) with every test cell
and locked cell as the released notebook shows it, plus one verdict per test cell: its points
(the gradebook's) and "test passed" or a short, capped message that quotes no hidden code
(:class:`autograder.preprocessors.RedactHiddenTests`). No other output of the grading run
reaches it: the student's code ran beside the hidden tests and could have printed them.

Its HTML is sanitised (:func:`clean_html`): markdown, raw cells and any HTML output keep only
an allow-list of plain HTML and MathML tags and attributes, links only to ``http(s)``,
``mailto`` or an anchor, images only from ``http(s)`` or ``data:image/...``; a ``<script>``,
an ``onerror=``, an ``<iframe>``, a ``<style>`` or a ``javascript:`` link shows as text or is
dropped. The page itself has no script.

The same preprocessors and exporter render the instructor's ``nbgrader generate_feedback``
(:func:`autograder.course.feedback_config`); here they run without nbgrader's converter (no
gradebook reads, no files), with one exporter per process.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

#: HTML a feedback page keeps from students' markdown and outputs (bleach's defaults and more)
HTML_TAGS = frozenset(
    "a abbr acronym b blockquote br code dd del details div dl dt em h1 h2 h3 h4 h5 h6 hr i "
    "img ins kbd li ol p pre q s samp small span strike strong sub summary sup table tbody td "
    "tfoot th thead tr tt u ul var".split()
)
#: MathML, as RenderMath (latex2mathml) writes it; no ``annotation-xml`` (it may hold HTML)
MATHML_TAGS = frozenset(
    "math menclose merror mfenced mfrac mi mmultiscripts mn mo mover mpadded mphantom "
    "mprescripts mroot mrow ms mspace msqrt mstyle msub msubsup msup mtable mtd mtext mtr "
    "munder munderover none semantics annotation".split()
)
MATHML_ATTRIBUTES = (
    "accent accentunder align close columnalign columnlines columnspacing depth display "
    "displaystyle fence form frame height largeop linethickness lspace mathvariant maxsize "
    "minsize movablelimits notation open rowalign rowlines rowspacing rspace scriptlevel "
    "separator separators stretchy symmetric width xmlns encoding".split()
)
_GLOBAL_ATTRIBUTES = ("class", "id", "title")
_LINK = re.compile(r"(https?:|mailto:|#)", re.I)
_IMAGE = re.compile(r"(https?:|data:image/(png|jpeg|gif|webp|svg\+xml)[;,])", re.I)


def _allowed(tag: str, name: str, value: str) -> bool:
    if name in _GLOBAL_ATTRIBUTES:
        return True
    if tag == "a":
        return name == "href" and bool(_LINK.match(value.strip()))
    if tag == "img":
        return name in ("alt", "width", "height") or (
            name == "src" and bool(_IMAGE.match(value.strip()))
        )
    if tag in ("td", "th"):
        return name in ("align", "colspan", "rowspan")
    return tag in MATHML_TAGS and name in MATHML_ATTRIBUTES


@lru_cache(maxsize=1)
def _cleaner():
    from bleach.sanitizer import Cleaner

    return Cleaner(
        tags=HTML_TAGS | MATHML_TAGS,
        attributes=_allowed,
        protocols=["http", "https", "mailto", "data"],  # narrowed per tag by _allowed
        strip=False,
        strip_comments=True,
    )


#: cleaned HTML by its input: most of a page's markdown is the source's, the same on every
#: student's page (cleaning it was a third of a page's time)
_CLEANED: dict[str, str] = {}


def clean_html(html) -> str:
    """``html`` with only the allow-listed tags and attributes live (see the module docstring);
    the rest is escaped, so a student's ``<script>`` reads as text."""
    from .course import remembered

    html = html.decode() if isinstance(html, bytes) else str(html)
    return remembered(_CLEANED, html, lambda: _cleaner().clean(html))


MEMO_DIR = "feedback-memo"


def _versions() -> dict[str, str]:
    """What the remembered HTML depends on besides the notebook."""
    from importlib.metadata import version

    return {name: version(name) for name in ("nbconvert", "pygments", "mistune", "bleach")}


def build_memos(template: Path) -> None:
    """Render one page of each notebook of the course ``template`` (being built: once per
    version of the sources), answered as the source answers it, with an exporter of its own,
    and keep what every student's page of that notebook shares: its code cells highlighted, its
    markdown rendered and cleaned, and the hidden test code a message must not quote
    (:class:`autograder.preprocessors.redact_hidden_tests.Secrets`: 8-30 ms to make), in
    ``MEMO_DIR/<notebook>.json``. A worker's first page of a notebook took 0.1-0.3 s more than
    the later ones without it (:func:`remember`). Problems are ignored: pages are then made
    from scratch, as before."""
    import json

    import nbformat

    from .course import ASSIGNMENT
    from .preprocessors.redact_hidden_tests import secrets_of

    folder = Path(template) / MEMO_DIR
    folder.mkdir(exist_ok=True)
    for path in sorted((Path(template) / ASSIGNMENT).glob("*.ipynb")):
        try:
            source = nbformat.read(path, as_version=4)
            release = nbformat.read(Path(template) / "release" / ASSIGNMENT / path.name, 4)
            nb, resources = feedback_notebook(source, source, release, {}, path.stem)
            ex = _make_exporter()
            _, made = ex.from_notebook_node(nb, resources)
            memo = {"versions": _versions(), **ex.memo()}
            memo["cleaned"] = {html: clean_html(html) for _, html in memo["markdown"]}
            key = made.get("hidden_code_key")
            if key is not None:
                memo["secrets"] = [key, secrets_of(key).parts()]
            (folder / f"{path.stem}.json").write_text(json.dumps(memo))
        except Exception:  # noqa: BLE001 - a speed-up only
            continue


_REMEMBERED: set[tuple[str, str]] = set()


def remember(template: Path, notebook: str) -> None:
    """Give this process's exporter what :func:`build_memos` kept for ``notebook`` (once per
    template and notebook; nothing when the file is missing or was made with other versions)."""
    import json

    key = (str(template), notebook)
    if key in _REMEMBERED:
        return
    _REMEMBERED.add(key)
    try:
        memo = json.loads((Path(template) / MEMO_DIR / f"{notebook}.json").read_text())
    except (OSError, ValueError):
        return
    if not isinstance(memo, dict) or memo.get("versions") != _versions():
        return
    from .course import remembered
    from .preprocessors.redact_hidden_tests import remember_secrets

    exporter().remember(memo)
    for raw, cleaned in memo.get("cleaned", {}).items():
        remembered(_CLEANED, raw, lambda cleaned=cleaned: cleaned)
    if memo.get("secrets"):
        remember_secrets(*memo["secrets"])


@lru_cache(maxsize=1)
def exporter():
    """This process's feedback exporter (see :func:`_make_exporter`)."""
    return _make_exporter()


def _make_exporter():
    """This process's feedback exporter: :class:`autograder.course.FeedbackExporter` with
    the preprocessors of :func:`autograder.course.feedback_config`, less nbgrader's
    ``GetGrades`` (:func:`feedback_notebook` puts the scores in)."""
    from traitlets.config import Config
    from traitlets.utils.importstring import import_item

    from .course import FeedbackExporter, feedback_config

    c = Config()
    feedback_config(c)
    # the page's notebook is checked against nbformat's schema once, after the last
    # preprocessor, not after each one (a third of the checks' time per page)
    c.FeedbackExporter.optimistic_validation = True
    ex = FeedbackExporter(config=c)
    for name in c.GenerateFeedback.preprocessors:
        if name != "nbgrader.preprocessors.GetGrades":
            # made here, not by the exporter: its own configuration (display_data_priority)
            # is not theirs, and traitlets would warn about it once per preprocessor
            ex.register_preprocessor(import_item(name)(config=c), enabled=True)
    return ex


def _grade_id(cell) -> str | None:
    nbg = cell.get("metadata", {}).get("nbgrader")
    gid = nbg.get("grade_id") if isinstance(nbg, dict) else None
    return gid if isinstance(gid, str) else None


def feedback_notebook(submitted, graded, release, tests: dict, notebook: str):
    """The notebook a feedback page shows and its resources: ``submitted`` (the rebuilt
    submission, source skeleton with hidden tests) whose test cells carry their scores from
    ``tests`` (``{grade_id: [score, max_score]}``) and only the first error output of the
    same cell in ``graded`` (the autograded notebook), and ``release``'s sources for the
    locked and test cells. :class:`RedactHiddenTests` makes that error one line."""
    errors = {}
    for cell in graded.cells:
        gid = _grade_id(cell)
        if gid is not None and gid not in errors and cell.get("cell_type") == "code":
            errors[gid] = next(
                (o for o in cell.get("outputs", []) if o.get("output_type") == "error"), None
            )
    released = {}
    for cell in release.cells:
        nbg = cell.get("metadata", {}).get("nbgrader", {})
        if _grade_id(cell) and not nbg.get("solution"):
            released[_grade_id(cell)] = cell.source
    for cell in submitted.cells:
        gid = _grade_id(cell)
        if cell.get("cell_type") != "code":
            continue
        cell.outputs = []
        nbg = cell.metadata.get("nbgrader", {})
        if gid is not None and nbg.get("grade"):
            score, points = tests.get(gid, (0.0, nbg.get("points")))
            nbg["score"], nbg["points"] = float(score or 0), float(points or 0)
            if not nbg.get("solution") and errors.get(gid) is not None:
                cell.outputs = [errors[gid]]
    resources = {
        "nbgrader": {
            "notebook": notebook,
            "score": sum(float(s or 0) for s, _ in tests.values()),
            "max_score": sum(float(m or 0) for _, m in tests.values()),
            "late_penalty": 0,
        },
        "released_sources": released,
    }
    return submitted, resources


def make_feedback(*, job, submitted, release, graded, tests) -> bytes:
    """The feedback HTML of ``job`` (an :class:`autograder.plan.Job`): ``submitted`` is the
    submission rebuilt on the source's skeleton (changed here), ``release`` the released
    notebook, ``graded`` the autograded notebook and ``tests`` the gradebook's
    ``{grade_id: [score, max_score]}``. The page has the course's feedback settings, the
    instructor's too. Raises on failure (the grade stands without its page)."""
    remember(Path(job.template), job.notebook)
    nb, resources = feedback_notebook(submitted, graded, release, tests, job.notebook)
    body, _ = exporter().from_notebook_node(nb, resources)
    return body.encode()


def warm() -> None:
    """Make this process's exporter and compile its templates now: a pool's workers forked
    afterwards start with them (their first page took 0.3 s more than the others)."""
    import nbformat

    resources = {
        "nbgrader": {"notebook": "warm", "score": 0, "max_score": 0, "late_penalty": 0},
        "released_sources": {},
    }
    exporter().from_notebook_node(nbformat.v4.new_notebook(), resources)
