"""Feedback shows what the student already had, plus each test's verdict: nothing else.

A feedback page is read by the student whose code ran during grading, and that code could see
every hidden test (an IPython ``pre_run_cell`` hook gets each cell's source) and print it, or
put it in an exception message. So the page keeps no output of the grading run except, for
each test cell, one verdict:

- ``test passed`` when the cell got its points;
- ``hidden test failed: AssertionError: <the assertion's message>`` when the line that raised
  lies in the cell's ``### BEGIN HIDDEN TESTS`` region (or, once ``ClearHiddenTests`` has run,
  is no longer in the visible source);
- ``test failed: <ename>: <evalue>`` for a visible check;
- ``<ename>: <evalue>`` when the traceback names no line of the cell (a cell the grader did not
  run, a tampering verdict).

The message is capped at :data:`MESSAGE_LIMIT` characters and withheld (:data:`WITHHELD`) when
it quotes hidden test code: any :data:`SHINGLE` consecutive characters of a hidden line's code
(string literals left out: they are the messages written for the student), compared without
whitespace, invisible characters or case, that the notebook does not show elsewhere. An
assertion without a message reads "(no message)". Every other output (prints, displays, the
traceback, a visible test's own prints) is dropped, the hidden region of each cell is replaced
by the line :data:`HIDDEN_RAN`, and cells keep only their ``nbgrader`` metadata (tags and the
like are markup the template writes into attributes).

Put it before ``ClearHiddenTests`` in ``GenerateFeedback.preprocessors`` (as
:func:`autograder.course.feedback_config` does) so the hidden regions are still there to
compare with. ``resources["released_sources"]`` (``{grade_id: source}``, set by
:func:`autograder.feedback.make_feedback`) makes such cells read exactly as released.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import textwrap
import tokenize
import unicodedata

from nbformat.v4 import new_output
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

HIDDEN_FAILED = "hidden test failed: {error}"
VISIBLE_FAILED = "test failed: {error}"
PASSED = "test passed"
FAILED = "test failed"
NO_MESSAGE = "(no message)"
#: what a test cell shows where its hidden tests were
HIDDEN_RAN = "# (hidden tests ran here; their code is not shown)"
#: the most characters of an exception's message a page shows
MESSAGE_LIMIT = 500
WITHHELD = "(message withheld: it quoted hidden test code)"
#: consecutive characters of hidden code (whitespace left out) that make a message a leak
SHINGLE = 12
#: a hidden code fragment shorter than SHINGLE but at least this long is matched whole
SHORT_FRAGMENT = 8

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_ENAME = re.compile(r"[A-Za-z_][\w.]{0,99}")
# IPython 8+: "Cell In[12], line 34"; older: "<ipython-input-12-...> in <module>"; then the
# context lines, the failing one marked "---> 34 <code>".
_CELL_FRAME = re.compile(r"^(Cell In\s*\[|Input In\s*\[|<ipython-input-)")
_ARROW = re.compile(r"^-*>\s*(\d+)\s?(.*)$")
_STRING_TOKENS = {tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}
_FSTRING_START = getattr(tokenize, "FSTRING_START", None)
_FSTRING_END = getattr(tokenize, "FSTRING_END", None)


def failing_line(traceback: list[str]) -> tuple[int, str] | None:
    """(line number, text) of the cell's own frame in an IPython traceback, or None."""
    text = _ANSI.sub("", "\n".join(str(t) for t in traceback))
    in_cell = False
    for line in text.splitlines():
        if _CELL_FRAME.match(line.strip()):
            in_cell = True
            continue
        if in_cell:
            m = _ARROW.match(line.strip())
            if m:
                return int(m.group(1)), m.group(2)
            if line.startswith("File ") or line.strip().startswith("File "):
                break  # the next frame started without an arrow in the cell's
    return None


def hidden_region(source: str, begin: str, end: str) -> tuple[int, int] | None:
    """First and last line numbers (1-based) of the hidden region of ``source``, or None."""
    first = last = None
    for number, line in enumerate(source.splitlines(), start=1):
        if begin in line and first is None:
            first = number
        elif end in line and first is not None:
            last = number
    if first is None:
        return None
    return first, last if last is not None else len(source.splitlines())


def is_hidden_failure(source: str, where: tuple[int, str], begin: str, end: str) -> bool:
    """Did the line ``where`` (number, text) of a test cell whose source is ``source`` belong
    to its hidden tests?"""
    number, text = where
    region = hidden_region(source, begin, end)
    if region is not None:  # before ClearHiddenTests: compare with the region
        return region[0] <= number <= region[1]
    lines = source.splitlines()  # after it: a hidden line is no longer where the traceback says
    return not (1 <= number <= len(lines) and lines[number - 1].strip() == text.strip())


def split_hidden(source: str, begin: str, end: str) -> tuple[str, list[str]]:
    """``source`` with each hidden region (delimiter lines included; an unclosed one runs to
    the end) replaced by :data:`HIDDEN_RAN` at the region's indentation, and the regions' code."""
    shown: list[str] = []
    hidden: list[str] = []
    region: list[str] | None = None
    for line in source.split("\n"):
        if region is None and begin in line:
            indent = line[: len(line) - len(line.lstrip())]
            shown.append(indent + HIDDEN_RAN)
            region = []
        elif region is not None and end in line:
            hidden.append("\n".join(region))
            region = None
        elif region is not None:
            region.append(line)
        else:
            shown.append(line)
    if region is not None:
        hidden.append("\n".join(region))
    return "\n".join(shown), hidden


def released_view(shown: str, released: str) -> str:
    """A test cell as the student's notebook shows it: ``shown`` (from :func:`split_hidden`)
    when it is the released source with :data:`HIDDEN_RAN` lines added, else the released
    source with one such line at its end (the grader's copy differs from the release)."""
    kept = [ln for ln in shown.split("\n") if ln.strip() != HIDDEN_RAN]
    if "\n".join(kept).strip() == released.strip():
        return shown
    return released.rstrip("\n") + "\n" + HIDDEN_RAN


def normalise(text: str) -> str:
    """``text`` as compared with hidden code: NFKC, case-folded, without whitespace, control
    or format characters (so spacing, zero-width characters and case do not hide a copy)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(
        ch for ch in text if not ch.isspace() and unicodedata.category(ch)[0] not in "CZ"
    )


def code_fragments(code: str) -> list[str]:
    """The runs of ``code`` between its string literals and comments, normalised; raw lines
    when ``code`` does not tokenize (a region cut out of a block, say)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(textwrap.dedent(code)).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return [f for f in (normalise(line) for line in code.splitlines()) if f]
    fragments, current, depth = [], [], 0
    for tok in tokens:
        if _FSTRING_START is not None and tok.type == _FSTRING_START:
            depth += 1
        if depth or tok.type in _STRING_TOKENS or tok.type in (tokenize.COMMENT, tokenize.NL):
            boundary = True
        else:
            boundary = tok.type == tokenize.NEWLINE
        if _FSTRING_END is not None and tok.type == _FSTRING_END:
            depth -= 1
        if boundary:
            if current:
                fragments.append(normalise("".join(current)))
            current = []
        else:
            current.append(tok.string)
    if current:
        fragments.append(normalise("".join(current)))
    return [f for f in fragments if f]


class Secrets:
    """The hidden code of a notebook, as fragments a message must not contain."""

    def __init__(self, hidden: list[str], shown: list[str]):
        known = set()
        for frag in (f for code in shown for f in code_fragments(code)):
            known.update(frag[i : i + SHINGLE] for i in range(len(frag) - SHINGLE + 1))
            known.add(frag)
        self.shingles: set[str] = set()
        self.short: set[str] = set()
        for frag in (f for code in hidden for f in code_fragments(code)):
            if len(frag) >= SHINGLE:
                grams = {frag[i : i + SHINGLE] for i in range(len(frag) - SHINGLE + 1)}
                self.shingles.update(grams - known)
            elif len(frag) >= SHORT_FRAGMENT and frag not in known:
                self.short.add(frag)

    def quoted_in(self, text: str) -> bool:
        """Does ``text`` contain hidden code (see the module docstring)?"""
        flat = normalise(text)
        if any(flat[i : i + SHINGLE] in self.shingles for i in range(len(flat) - SHINGLE + 1)):
            return True
        return any(frag in flat for frag in self.short)

    def parts(self) -> dict:
        """What :meth:`from_parts` makes the same :class:`Secrets` from (JSON)."""
        return {"shingles": sorted(self.shingles), "short": sorted(self.short)}

    @classmethod
    def from_parts(cls, parts: dict) -> Secrets:
        made = cls([], [])
        made.shingles, made.short = set(parts["shingles"]), set(parts["short"])
        return made


#: :class:`Secrets` by :func:`secrets_key`: made once per worker and notebook, or taken from
#: the template (:func:`remember_secrets`)
_SECRETS: dict[str, Secrets] = {}


def secrets_key(hidden: list[str], shown: list[str]) -> str:
    return hashlib.sha256(json.dumps([hidden, shown]).encode()).hexdigest()


def secrets_for(hidden: list[str], shown: list[str]) -> tuple[str, Secrets]:
    """The :class:`Secrets` of a notebook's code and its key: the hidden regions and the test
    and locked cells are the source's, the same on every student's page (a :class:`Secrets` is
    not changed once made)."""
    from ..course import remembered

    key = secrets_key(hidden, shown)
    return key, remembered(_SECRETS, key, lambda: Secrets(hidden, shown))


def secrets_of(key: str) -> Secrets:
    """The :class:`Secrets` this process made or took under ``key``."""
    return _SECRETS[key]


def remember_secrets(key: str, parts: dict) -> None:
    """Take the :class:`Secrets` of ``key`` made elsewhere (:meth:`Secrets.parts`: the
    template's feedback memo, see :func:`autograder.feedback.build_memos`)."""
    from ..course import remembered

    remembered(_SECRETS, key, lambda: Secrets.from_parts(parts))


def capped(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """``text`` without ANSI codes or control characters, at most ``limit`` characters."""
    text = _CONTROL.sub("", _ANSI.sub("", text[: 4 * limit])).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


class RedactHiddenTests(NbGraderPreprocessor):
    begin_test_delimeter = Unicode("BEGIN HIDDEN TESTS").tag(config=True)
    end_test_delimeter = Unicode("END HIDDEN TESTS").tag(config=True)

    secrets: Secrets | None = None

    def preprocess(self, nb, resources):
        hidden, shown = [], []
        for cell in nb.cells:
            if cell.get("cell_type") != "code":
                continue
            visible, regions = split_hidden(
                cell.source, self.begin_test_delimeter, self.end_test_delimeter
            )
            hidden += regions
            if utils.is_grade(cell) or utils.is_locked(cell):
                shown.append(visible)
        key, self.secrets = secrets_for(hidden, shown)
        resources["hidden_code_key"] = key  # a feedback memo keeps the secrets under it
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, cell_index):
        nbg = cell.get("metadata", {}).get("nbgrader")
        cell.metadata = {"nbgrader": nbg} if isinstance(nbg, dict) else {}
        if cell.cell_type != "code":
            return cell, resources
        if utils.is_grade(cell) and not utils.is_solution(cell):
            cell.outputs = [self.verdict(cell)]
        else:
            cell.outputs = []
        cell.execution_count = None
        shown, _ = split_hidden(cell.source, self.begin_test_delimeter, self.end_test_delimeter)
        released = (resources.get("released_sources") or {}).get(
            nbg.get("grade_id") if nbg else None
        )
        if released is not None and shown != cell.source:
            shown = released_view(shown, released)
        elif released is not None:
            shown = released
        cell.source = shown
        return cell, resources

    def verdict(self, cell):
        """The one output a test cell keeps: "test passed", or its failure's message. The
        cell's score (the gradebook's, in its metadata) decides; without one, an error does."""
        nbg = cell.metadata.get("nbgrader", {})
        error = next((o for o in cell.get("outputs", []) if o.get("output_type") == "error"), None)
        score, points = nbg.get("score"), nbg.get("points")
        if score is not None and points is not None:
            passed = float(score) >= float(points)
        else:
            passed = error is None
        if passed:
            return new_output("stream", name="stdout", text=PASSED)
        line = FAILED if error is None else self.message(cell.source, error)
        return new_output("error", ename="", evalue="", traceback=[line])

    def message(self, source: str, error) -> str:
        """The one line that replaces ``error``'s outputs (see the module docstring)."""
        ename = str(error.get("ename", ""))
        ename = ename if _ENAME.fullmatch(ename) else "Error"
        evalue = capped(str(error.get("evalue", "")))
        if self.secrets is None:  # called on its own: the cell is all we know
            self.secrets = Secrets(
                split_hidden(source, self.begin_test_delimeter, self.end_test_delimeter)[1], []
            )
        if self.secrets.quoted_in(evalue):
            evalue = WITHHELD
        text = f"{ename}: {evalue or NO_MESSAGE}"
        traceback = error.get("traceback", [])
        where = failing_line(list(traceback) if isinstance(traceback, list) else [])
        if where is None:
            return text
        hidden = is_hidden_failure(
            source, where, self.begin_test_delimeter, self.end_test_delimeter
        )
        return (HIDDEN_FAILED if hidden else VISIBLE_FAILED).format(error=text)
