"""ruff over the whole repository: .py files and the notebooks, lint and format."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUFF = Path(sys.executable).parent / "ruff"


def ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(RUFF), *args, "--no-cache", "."], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_ruff_is_clean():
    result = ruff("check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean():
    """One formatting style (pyproject's [tool.ruff.format]); fix with `ruff format .`."""
    result = ruff("format", "--check")
    assert result.returncode == 0, (
        "these files are not formatted; run `.venv/bin/ruff format .` (or `pre-commit run "
        "--all-files`):\n" + result.stdout + result.stderr
    )
