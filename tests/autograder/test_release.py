"""release: the student bundle is leak-free, installs on its own and its notebooks run to the end."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import nbformat
import pytest
from grading_helpers import FIXTURE_COURSE

from autograder.release import LEAK, build_release, find_leaks, secret_lines

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    return build_release(tmp_path_factory.mktemp("release") / "student", source_dir=FIXTURE_COURSE)


def test_bundle_contents(bundle):
    for rel in (
        "notebooks/01_square.ipynb",
        "notebooks/02_mean.ipynb",
        "cs231n_tools/checks.py",
        "autograder/check.py",
        "README.md",
        "pyproject.toml",
        "requirements.txt",
        "Makefile",
    ):
        assert (bundle / rel).is_file(), rel
    assert Path(f"{bundle}.zip").is_file()


def test_no_solution_and_no_hidden_test_anywhere(bundle):
    assert find_leaks(bundle, FIXTURE_COURSE) == []
    secrets = secret_lines(FIXTURE_COURSE)
    assert secrets  # the scan looks for something
    with zipfile.ZipFile(f"{bundle}.zip") as z:
        for name in z.namelist():
            if "/autograder/" in name:  # the grader's code names the markers; it holds no answer
                continue
            text = z.read(name).decode(errors="ignore")
            assert "BEGIN HIDDEN TESTS" not in text and "### BEGIN SOLUTION" not in text, name
    for path in (bundle / "notebooks").glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        code = "\n".join(c.source for c in nb.cells)
        assert [s for s in secrets if s in code] == []
        assert "raise NotImplementedError()" in code


def test_leak_scan_finds_hidden_lines(tmp_path):
    hidden = 'assert torch.allclose(double(z), z + z), "double is wrong on float64"'
    assert hidden in secret_lines(FIXTURE_COURSE)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("notes\n" + hidden)])
    nbformat.write(nb, tmp_path / "copied.ipynb")
    (tmp_path / "helper.py").write_text("def f(z):\n    " + hidden + "\n")
    (tmp_path / "ordinary.py").write_text("x = 1\n")
    assert sorted(f for f, _ in find_leaks(tmp_path, FIXTURE_COURSE)) == [
        "copied.ipynb",
        "helper.py",
    ]


def test_a_leak_stops_the_release(tmp_path, monkeypatch):
    from autograder import release

    monkeypatch.setattr(
        release, "find_leaks", lambda bundle, src: [("cs231n_tools/x.py", "answer = 42")]
    )
    with pytest.raises(RuntimeError, match=LEAK.split("{")[0]):
        build_release(tmp_path / "out", source_dir=FIXTURE_COURSE)
    assert not (tmp_path / "out").exists()


def test_bundle_installs_alone_and_its_notebooks_run_to_the_end(bundle, tmp_path):
    venv = tmp_path / "venv"
    base = getattr(sys, "_base_executable", None) or sys.executable
    subprocess.run([base, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    # the heavy dependencies (torch, nbgrader, ...) come from this environment, read-only;
    # the bundle's own packages must come from the bundle
    site = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(site, "course-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    subprocess.run(
        [
            str(py),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            str(bundle),
        ],
        check=True,
        env=env,
        cwd=tmp_path,
    )
    where = subprocess.run(
        [
            str(py),
            "-c",
            "import cs231n_tools, autograder; print(cs231n_tools.__file__, autograder.__file__)",
        ],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=tmp_path,
    ).stdout
    assert where.count(str(venv)) == 2, where
    proc = subprocess.run(
        [str(py), "-m", "autograder", "check", str(bundle / "notebooks" / "01_square.ipynb")],
        capture_output=True,
        text=True,
        env={**env, "CS231N_DEVICE": "cpu"},
        cwd=tmp_path,
        timeout=600,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "FAIL      0 / 2    test_square  (NotImplementedError" in proc.stdout
    assert "FAIL      0 / 1    test_double  (NotImplementedError" in proc.stdout
    assert "total 0 / 3 points" in proc.stdout
