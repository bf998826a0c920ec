"""The README's plain-nbgrader commands work on the course directory as committed."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from notebook_harness import read

from autograder.course import NOTEBOOKS, Course

ROOT = Path(__file__).resolve().parent.parent


def nbgrader(*args, cwd):
    env = dict(
        os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])
    )
    return subprocess.run(
        [str(Path(sys.executable).parent / "nbgrader"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.slow
@pytest.mark.notebook
def test_generate_and_autograde_with_the_nbgrader_cli(tmp_path):
    shutil.copy2(ROOT / "nbgrader_config.py", tmp_path / "nbgrader_config.py")
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")

    result = nbgrader("generate_assignment", "notebooks", "--force", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    released = sorted(p.stem for p in (tmp_path / "release" / "notebooks").glob("*.ipynb"))
    assert released == sorted(NOTEBOOKS)

    # One student hands in the reference answers of 03 (a fast notebook).
    sub = tmp_path / "submitted" / "ref" / "notebooks"
    sub.mkdir(parents=True)
    shutil.copy2(ROOT / "notebooks" / "03_custom_function.ipynb", sub)
    result = nbgrader("autograde", "notebooks", "--student", "ref", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    graded = read(tmp_path / "autograded" / "ref" / "notebooks" / "03_custom_function.ipynb")
    assert any(c.get("outputs") for c in graded.cells)
    grade = Course(tmp_path).grades("ref")["03_custom_function"]
    assert grade.max_score > 0 and grade.score == grade.max_score
