"""``report DIR``: a class summary of a grading run as one HTML page with PNG plots.

``DIR/report/index.html`` shows: how the submissions were protected (and, prominently, which
protection was missing, per worker on a cluster), which folders may be handed back to students
(``feedback/``) and which never (``autograded/``, ``submitted/``: they hold the hidden tests or
other students' work), a table of every student's scores with links to their feedback pages,
the score distribution of each notebook (whole submissions on the y axis), the mean score of each
test (full labels), the hardest tests, and every submission whose status is not ``graded``.
"""

from __future__ import annotations

import html
import json
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

from .course import ASSIGNMENT
from .results import read_grades, read_tests
from .sandbox import PROTECTIONS

NO_GRADES = (
    "no grades.csv in {path}: run `python -m autograder autograde SUBMISSIONS --out {path}` first"
)
MISSING_PROTECTION = "Missing protection: {what}."
SAME_USER_RUN = (
    "NOT PROTECTED: graded with --unsafe-same-user. Kernels ran submitted code with the "
    "grader's own user id and no sandbox, so any submission could have changed any grade, "
    "the grading template or the grader. Do not trust these grades; grade again with the "
    "sandbox (or as root) before using them."
)
WORKER_MISSING = "{worker}: missing {what}"
HAND_BACK = (
    "Hand back <code>feedback/&lt;student&gt;/</code> only (HTML without hidden tests). "
    "Never hand back <code>autograded/</code> (graded notebooks with the hidden tests) or "
    "<code>submitted/</code> (everyone's submissions)."
)
HARDEST = 10


def _fig(path: Path, draw, figsize=(7, 3.2)) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=figsize)
    draw(ax)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path.name


def build_report(out: Path | str) -> Path:
    """Write ``out/report/index.html`` (and its PNGs); returns the page's path."""
    out = Path(out)
    if not (out / "grades.csv").exists():
        raise FileNotFoundError(NO_GRADES.format(path=out))
    grades, tests = read_grades(out), read_tests(out)
    run = json.loads((out / "run.json").read_text()) if (out / "run.json").exists() else {}
    page = out / "report"
    page.mkdir(exist_ok=True)
    esc = html.escape

    parts = [
        "<!doctype html><meta charset='utf-8'><title>Grading report</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:auto}td,th{padding:2px 8px;"
        "text-align:left}.bad{color:#a00;font-weight:bold}</style>",
        f"<h1>Grading report</h1><p>{len(grades)} submissions from "
        f"{len({g['student'] for g in grades})} students.</p>",
    ]

    if run.get("same_user"):
        parts.append(f"<p class=bad>{esc(SAME_USER_RUN)}</p>")
    prot = run.get("protections", {})
    missing = [k for k, ok in prot.items() if not ok]
    parts.append("<h2>Protection</h2><ul>")
    for key, ok in prot.items():
        text = PROTECTIONS.get(key, key)
        parts.append(
            f"<li>{'enforced' if ok else '<span class=bad>MISSING</span>'}: {esc(text)}</li>"
        )
    parts.append("</ul>")
    if missing:
        parts.append(
            f"<p class=bad>{esc(MISSING_PROTECTION.format(what='; '.join(PROTECTIONS.get(k, k) for k in missing)))}"
            f" ({esc(run.get('sandbox_reason', ''))})</p>"
        )
    workers = run.get("workers") or {}
    if workers:
        parts.append("<h3>Workers</h3><ul>")
        for name, info in sorted(workers.items()):
            missing = list(info.get("missing") or [])
            if missing or not info.get("sandboxed", True):
                what = "; ".join(PROTECTIONS.get(k, k) for k in missing) or "the sandbox"
                parts.append(
                    f"<li class=bad>{esc(WORKER_MISSING.format(worker=name, what=what))}</li>"
                )
            else:
                parts.append(f"<li>{esc(name)}: every protection enforced</li>")
        parts.append("</ul>")
    parts.append(f"<h2>What to hand back</h2><p>{HAND_BACK}</p>")
    parts += _student_table(out, grades, esc)

    by_nb: dict[str, list[float]] = defaultdict(list)
    max_nb: dict[str, float] = {}
    for g in grades:
        by_nb[g["notebook"]].append(float(g["score"]))
        max_nb[g["notebook"]] = float(g["max_score"])
    parts.append(
        "<h2>Scores per notebook</h2><table><tr><th>notebook</th><th>n</th><th>mean</th><th>max</th></tr>"
    )
    for nb, scores in sorted(by_nb.items()):
        parts.append(
            f"<tr><td>{esc(nb)}</td><td>{len(scores)}</td><td>{sum(scores) / len(scores):.2f}</td><td>{max_nb[nb]:g}</td></tr>"
        )
    parts.append("</table>")
    for nb, scores in sorted(by_nb.items()):
        top = max_nb[nb] or 1

        def draw(ax, scores=scores, top=top, nb=nb):
            from matplotlib.ticker import MaxNLocator

            ax.hist(scores, bins=_bins(top), color="#4477aa", edgecolor="white")
            ax.set_xlim(-0.5, top + 0.5)
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts are whole submissions
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_xlabel("score")
            ax.set_ylabel("submissions")
            ax.set_title(f"{nb}: score distribution (max {top:g})")

        parts.append(
            f"<img src='{_fig(page / f'scores_{nb}.png', draw)}' alt='scores of {esc(nb)}'>"
        )

    per_test: dict[tuple[str, str], list[float]] = defaultdict(list)
    for t in tests:
        m = float(t["max_score"]) or 1.0
        per_test[(t["notebook"], t["test"])].append(float(t["score"]) / m)
    if per_test:
        keys = sorted(per_test)
        means = [sum(per_test[k]) / len(per_test[k]) for k in keys]

        def draw_tests(ax):
            ax.barh(range(len(keys)), means, color="#228833")
            ax.set_yticks(range(len(keys)), [_test_label(n, t) for n, t in keys], fontsize=8)
            ax.set_xlim(0, 1)
            ax.set_xlabel("mean fraction of points")
            ax.set_title("Score per test")
            ax.invert_yaxis()

        height = 1.2 + 0.2 * len(keys)  # one readable line per test, full names
        parts.append(
            f"<h2>Scores per test</h2><img src='{_fig(page / 'tests.png', draw_tests, (10, height))}'"
            " alt='per test' style='max-width:100%'>"
        )
        hardest = sorted(zip(means, keys, strict=True))[:HARDEST]
        parts.append(
            "<h2>Hardest tests</h2><table><tr><th>notebook</th><th>test</th><th>mean fraction</th><th>n</th></tr>"
        )
        for mean, (nb, t) in hardest:
            parts.append(
                f"<tr><td>{esc(nb)}</td><td>{esc(t)}</td><td>{mean:.2f}</td><td>{len(per_test[(nb, t)])}</td></tr>"
            )
        parts.append("</table>")

    bad = [g for g in grades if g["status"] != "graded"]
    parts.append(f"<h2>Submissions to look at ({len(bad)})</h2>")
    if bad:
        parts.append(
            "<table><tr><th>student</th><th>notebook</th><th>status</th><th>score</th><th>detail</th></tr>"
        )
        for g in bad:
            parts.append(
                f"<tr><td>{esc(g['student'])}</td><td>{esc(g['notebook'])}</td><td class=bad>{esc(g['status'])}</td>"
                f"<td>{esc(g['score'])}/{esc(g['max_score'])}</td><td>{esc(g['detail'])}</td></tr>"
            )
        parts.append("</table>")
    noted = [g for g in grades if g["status"] == "graded" and g["detail"]]
    if noted:
        parts.append("<h3>Graded, with notes</h3><table>")
        for g in noted:
            parts.append(
                f"<tr><td>{esc(g['student'])}</td><td>{esc(g['notebook'])}</td><td>{esc(g['detail'])}</td></tr>"
            )
        parts.append("</table>")
    index = page / "index.html"
    parts.insert(1, "<style>table.students td{white-space:nowrap}</style>")
    index.write_text("\n".join(parts))
    return index


def _bins(top: float) -> list[float]:
    """Histogram bins one point wide centred on whole scores (at most 40 of them)."""
    step = max(1, int(round(top / 40)))
    n = int(top // step) + 1
    return [(i - 0.5) * step for i in range(n + 1)]


def _test_label(notebook: str, test: str) -> str:
    return f"{notebook} · {test.removeprefix('test_')}"


def _student_table(out: Path, grades: list[dict], esc) -> list[str]:
    """Every student's score per notebook, each linked to that student's feedback page."""
    notebooks = sorted({g["notebook"] for g in grades})
    by_student: dict[str, dict[str, dict]] = defaultdict(dict)
    for g in grades:
        by_student[g["student"]][g["notebook"]] = g
    parts = [
        "<h2>Students</h2><p>Each score links to the student's feedback page.</p>",
        "<table class=students><tr><th>student</th>"
        + "".join(f"<th>{esc(nb)}</th>" for nb in notebooks)
        + "<th>total</th></tr>",
    ]
    for student in sorted(by_student):
        row, total, top = [f"<td>{esc(student)}</td>"], 0.0, 0.0
        for nb in notebooks:
            g = by_student[student].get(nb)
            if g is None:
                row.append("<td>-</td>")
                continue
            total += float(g["score"])
            top += float(g["max_score"])
            text = f"{float(g['score']):g} / {float(g['max_score']):g}"
            feedback = out / "feedback" / student / ASSIGNMENT / f"{nb}.html"
            if feedback.exists():
                href = f"../feedback/{quote(student)}/{ASSIGNMENT}/{quote(nb)}.html"
                text = f"<a href='{esc(href)}'>{text}</a>"
            cls = " class=bad" if g["status"] != "graded" else ""
            row.append(f"<td{cls}>{text}</td>")
        row.append(f"<td>{total:g} / {top:g}</td>")
        parts.append("<tr>" + "".join(row) + "</tr>")
    parts.append("</table>")
    return parts
