"""Math in feedback pages without a network: ``$...$`` and ``$$...$$`` in markdown cells become
MathML (which browsers draw natively) when the page is written.

nbgrader's feedback template loads MathJax from a CDN, so offline a student reads raw ``$...$``.
This preprocessor converts each formula with ``latex2mathml``; code spans and fenced code are left
alone, as is a formula it cannot convert (shown as written). Without ``latex2mathml`` installed
it changes nothing. The template ``cs231n_feedback`` drops the MathJax script.
"""

from __future__ import annotations

import re

from nbgrader.preprocessors import NbGraderPreprocessor

# fenced code, inline code, display math, inline math (not "$ 5" prices: no space after "$")
_TOKENS = re.compile(
    r"(?P<fence>^(```|~~~).*?^\2[^\n]*$)"
    r"|(?P<code>(`+).+?\4)"
    r"|(?P<display>\$\$(?P<dtex>.+?)\$\$)"
    r"|(?P<inline>(?<![\\$])\$(?P<itex>[^\s$](?:[^$\n]|\n(?!\n))*?)(?<![\s\\])\$(?!\d))",
    re.S | re.M,
)


def to_mathml(tex: str, display: bool) -> str | None:
    """MathML for the LaTeX ``tex``, or None when it cannot be converted."""
    try:
        from latex2mathml.converter import convert
    except ImportError:
        return None
    try:
        return convert(tex.strip(), display="block" if display else "inline")
    except Exception:  # noqa: BLE001 - an unsupported macro: keep the formula as written
        return None


def render_math(markdown: str) -> str:
    """``markdown`` with each formula replaced by MathML (see the module docstring)."""

    def replace(m: re.Match) -> str:
        if m.group("display"):
            html = to_mathml(m.group("dtex"), display=True)
        elif m.group("inline"):
            html = to_mathml(m.group("itex"), display=False)
        else:
            return m.group(0)
        return m.group(0) if html is None else html.replace("\n", " ")

    return _TOKENS.sub(replace, markdown)


class RenderMath(NbGraderPreprocessor):
    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "markdown" and "$" in cell.source:
            cell.source = render_math(cell.source)
        return cell, resources
