"""The sandbox keeps course files that live under /tmp (a CI clone, its venv) readable."""

import subprocess
import sys
from pathlib import Path

import pytest

from autograder.sandbox import bwrap_args, probe


@pytest.mark.skipif(not probe()[0], reason="bubblewrap cannot start a sandbox here")
def test_readable_paths_under_tmp_survive_the_private_tmp(tmp_path):
    course = tmp_path / "clone" / "data"
    course.mkdir(parents=True)
    (course / "marker.txt").write_text("visible")
    work = tmp_path / "work"
    work.mkdir()
    args = bwrap_args(
        writable=[work],
        workdir=work,
        as_root=False,
        readable=[course, Path(sys.prefix), Path(sys.base_prefix)],
    )
    result = subprocess.run(
        [*args, sys.executable, "-c", f"print(open({str(course / 'marker.txt')!r}).read())"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "visible"
