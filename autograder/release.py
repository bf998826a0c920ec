"""``release --out DIR``: the student bundle, from nbgrader's ``generate_assignment``.

``DIR`` holds the student notebooks (solutions replaced by ``# YOUR CODE HERE`` stubs, hidden
tests removed: nbgrader's ``ClearSolutions``/``ClearHiddenTests``), the helper package
``cs231n_tools`` and the ``autograder`` package (for ``python -m autograder check``), the data
scripts and shipped weights, the student lab's configuration (``jupyter/student``), a student
README and install files (``pyproject.toml``, ``requirements.txt``, ``Makefile``: ``make lab``
installs once, then starts JupyterLab); ``DIR.zip`` is the same, zipped. Before anything is written
the bundle is scanned for every solution line and hidden-test line of the sources
(:func:`find_leaks`); a leak stops the release.
"""

from __future__ import annotations

import shutil
import tempfile
import tomllib
from pathlib import Path

from .course import ASSIGNMENT, REPO_ROOT, SOURCE_NOTEBOOKS, Course

LEAK = (
    "release aborted: {count} solution or hidden-test line(s) found in the bundle, e.g. {example}"
)
BEGIN_MARKS = ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS")
END_MARKS = ("### END SOLUTION", "### END HIDDEN TESTS")
DATA_FILES = ("README.md", "*.sh", "*.py", "weights")
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")

STUDENT_README = """# Deep Learning Software: the notebooks

Exercises after the CS231n lecture "Deep Learning Software", graded with nbgrader.

## Install (Python 3.11)

```bash
make            # creates .venv/ and installs everything (about 8 GB, mostly PyTorch)
make lab        # opens JupyterLab on notebooks/
```

or by hand: `python3.11 -m venv .venv && .venv/bin/pip install -e .` (add `.[tf]` for
notebook 08), then `.venv/bin/python -m ipykernel install --sys-prefix --name python3`.

## Work and check

Open the notebooks in order. Fill in every cell that says `# YOUR CODE HERE` (remove the
`raise NotImplementedError()`); the cell after each exercise tests it. Check a whole notebook
the way the grader runs it (visible tests only; the grader adds hidden ones):

```bash
.venv/bin/python -m autograder check notebooks/01_tensors.ipynb
```

Set `CS231N_DEVICE=cpu` or `cuda` to choose the device (default: a GPU when there is one).
Hand in the `.ipynb` files of `notebooks/` with their names unchanged.
"""

MAKEFILE = """PYTHON ?= python3.11
VENV ?= .venv
STAMP := $(VENV)/.cs231n-installed
# JupyterLab refuses to start as root unless told
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
.PHONY: install lab
install: $(STAMP)
# installs once; again only when pyproject.toml changes
$(STAMP): pyproject.toml
\t@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
\t$(VENV)/bin/python -m pip install --quiet -e '.[tf]'
\t$(VENV)/bin/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (cs231n)" >/dev/null
\t@touch $(STAMP)
# the course's programs on PATH for the lab, its terminals and kernels; jupyter/student hides
# nbgrader's instructor tools
lab: install
\tPATH="$(abspath $(VENV))/bin:$$PATH" JUPYTER_CONFIG_PATH="$(CURDIR)/jupyter/student" $(VENV)/bin/jupyter lab --notebook-dir=notebooks $(ROOT_FLAG) $(LAB_ARGS)
"""


def _project() -> dict:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]


def student_pyproject() -> str:
    project = _project()
    deps = ",\n    ".join(f'"{d}"' for d in project["dependencies"])
    tf = ", ".join(f'"{d}"' for d in project.get("optional-dependencies", {}).get("tf", []))
    return f"""[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "cs231n-dl-software-student"
version = "{project["version"]}"
description = "Student bundle: {project["description"]}"
requires-python = "{project["requires-python"]}"
dependencies = [
    {deps},
]

[project.optional-dependencies]
tf = [{tf}]

[tool.setuptools]
packages = ["cs231n_tools", "autograder", "autograder.preprocessors"]

[tool.setuptools.package-data]
cs231n_tools = ["weights/*"]
"""


def secret_lines(source_dir: Path) -> list[str]:
    """Lines of the sources' solution regions and hidden tests that appear nowhere else in the
    sources (a line a demo also shows, such as ``optimizer.step()``, is not a secret)."""
    import nbformat

    inside_lines: set[str] = set()
    outside_lines: set[str] = set()
    for path in sorted(Path(source_dir).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            inside = False
            for line in cell.source.splitlines():
                s = line.strip()
                if s in BEGIN_MARKS:
                    inside = True
                elif s in END_MARKS:
                    inside = False
                elif inside and len(s) > 12 and not s.startswith("#"):
                    inside_lines.add(s)
                elif not inside:
                    outside_lines.add(s)
    return sorted(inside_lines - outside_lines)


def _lines(path: Path) -> list[str] | None:
    try:
        text = path.read_text()
    except (UnicodeDecodeError, OSError):
        return None
    if path.suffix == ".ipynb":  # the cells' sources, not JSON-escaped text
        import json

        try:
            text = "\n".join(
                "".join(c.get("source", "")) for c in json.loads(text).get("cells", [])
            )
        except (ValueError, AttributeError):
            pass
    return [ln.strip() for ln in text.splitlines()]


def find_leaks(bundle: Path, source_dir: Path) -> list[tuple[str, str]]:
    """(file, line) for secret lines of the sources (:func:`secret_lines`) found in ``bundle``:
    in a notebook any such line; in other files a line of 40 characters or more, or two secret
    lines in a row (a short line alone, like ``return result``, is ordinary code)."""
    secrets = set(secret_lines(source_dir))
    leaks = []
    for path in sorted(p for p in Path(bundle).rglob("*") if p.is_file()):
        lines = _lines(path)
        if lines is None:
            continue
        name = str(path.relative_to(bundle))
        if path.suffix == ".ipynb":
            leaks += [(name, ln) for ln in lines if ln in secrets]
            continue
        for i, ln in enumerate(lines):
            if ln in secrets and (
                len(ln) >= 40 or (i + 1 < len(lines) and lines[i + 1] in secrets)
            ):
                leaks.append((name, ln))
    return leaks


def build_release(
    out: Path | str, *, source_dir: Path | str = SOURCE_NOTEBOOKS, make_zip: bool = True
) -> Path:
    """Write the student bundle to ``out`` (replaced if it exists) and ``out.zip``; returns ``out``."""
    out = Path(out).resolve()
    source_dir = Path(source_dir)
    names = sorted(p.stem for p in source_dir.glob("*.ipynb"))
    with tempfile.TemporaryDirectory(prefix="cs231n-release-") as tmp:
        course = Course.create(Path(tmp) / "course", names, source_dir=source_dir)
        release = course.generate_release()
        stage = Path(tmp) / "bundle"
        shutil.copytree(release, stage / ASSIGNMENT, ignore=SKIP)
        shutil.copytree(REPO_ROOT / "cs231n_tools", stage / "cs231n_tools", ignore=SKIP)
        shutil.copytree(REPO_ROOT / "autograder", stage / "autograder", ignore=SKIP)
        data = REPO_ROOT / "data"
        for pattern in DATA_FILES:
            for item in data.glob(pattern):
                dest = stage / "data" / item.name
                dest.parent.mkdir(parents=True, exist_ok=True)
                (
                    shutil.copytree(item, dest, ignore=SKIP)
                    if item.is_dir()
                    else shutil.copy2(item, dest)
                )
        shutil.copytree(
            REPO_ROOT / "jupyter" / "student", stage / "jupyter" / "student", ignore=SKIP
        )
        if (REPO_ROOT / "scripts").is_dir():
            shutil.copytree(REPO_ROOT / "scripts", stage / "scripts", ignore=SKIP)
        (stage / "README.md").write_text(STUDENT_README)
        (stage / "pyproject.toml").write_text(student_pyproject())
        (stage / "requirements.txt").write_text("\n".join(_project()["dependencies"]) + "\n")
        (stage / "Makefile").write_text(MAKEFILE)
        leaks = find_leaks(stage, source_dir)
        if leaks:
            raise RuntimeError(
                LEAK.format(count=len(leaks), example=f"{leaks[0][0]}: {leaks[0][1]!r}")
            )
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(stage, out)
    if make_zip:
        shutil.make_archive(str(out), "zip", root_dir=out.parent, base_dir=out.name)
    return out
