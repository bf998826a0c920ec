"""Kernels forked from the fork server (autograder/forkserver.py): started with torch imported,
isolated from one another like kernels started as new programs, and graded the same. Every test
starts kernels: all are ``slow``."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import nbformat
import pytest
from grading_helpers import grade, honest_class, limits
from jupyter_core.utils import run_sync
from nbclient import NotebookClient

from autograder import forkserver
from autograder.kernel_manager import SandboxKernelManager
from autograder.sandbox import SANDBOX_UIDS, kernel_user_id, probe, sandbox_uid

SANDBOXED = probe()[0]
AS_ROOT = os.geteuid() == 0

pytestmark = pytest.mark.slow


@pytest.fixture
def root(tmp_path):
    base = tmp_path / "kernels"
    base.mkdir()
    os.chmod(tmp_path, 0o711)
    os.chmod(base, 0o711)
    yield base
    forkserver.close_all()
    forkserver.DISABLED = None


def run_kernel(root: Path, name: str, *cells: str, sandbox: bool = SANDBOXED) -> list[str]:
    """Run ``cells`` in one forked kernel; the text each printed (or its error)."""
    job = root / name
    work, home, runtime = job / "work", job / "home", job / "kernel"
    for d in (work, home, runtime):
        d.mkdir(parents=True)
    uid = sandbox_uid() if kernel_user_id(sandboxed=sandbox) else None
    if uid is not None:
        os.chmod(job, 0o711)
        for d in (work, home, runtime):
            os.chown(d, uid, uid)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "TMPDIR": "/tmp",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(home),
        "IPYTHONDIR": str(home / ".ipython"),
        "OMP_NUM_THREADS": "1",
        "PYTHONHASHSEED": "0",
    }
    km = SandboxKernelManager(
        runtime_dir=str(runtime),
        workdir=str(work),
        writable=[str(work), str(home)],
        sandbox=sandbox,
        limit_args=limits().kernel_args(),
        uid=uid,
        kernel_env=env,
        forkserver=True,
        forkserver_root=str(root),
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    try:
        NotebookClient(nb, km=km, timeout=60, allow_errors=True).execute()
    finally:  # a client given its kernel manager leaves the kernel running
        run_sync(km.shutdown_kernel)(now=True)
    texts = []
    for cell in nb.cells:
        text = "".join(
            o["text"] if o.output_type == "stream" else f"{o.ename}: {o.evalue}"
            for o in cell.outputs
            if o.output_type in ("stream", "error")
        )
        texts.append(text.strip())
    return texts


PROBE = """
import json, os, sys
print(json.dumps({"torch": "torch" in sys.modules, "pid": os.getpid(), "uid": os.getuid(),
                  "procs": sorted(int(p) for p in os.listdir("/proc") if p.isdigit())}))
"""


def test_kernel_starts_with_torch_imported_in_its_own_namespace(root):
    (seen,) = run_kernel(root, "a", PROBE)
    seen = json.loads(seen)
    assert seen["torch"], "the kernel should be forked with torch already imported"
    if AS_ROOT:
        assert seen["uid"] in SANDBOX_UIDS
        # PID 2 under an init of its own; /proc shows this namespace only
        assert seen["pid"] == 2
        assert seen["procs"] == [1, 2]


def _running(marker: str) -> list[int]:
    found = []
    for p in os.listdir("/proc"):
        try:
            if p.isdigit() and marker in Path(f"/proc/{p}/cmdline").read_bytes().decode(
                errors="replace"
            ):
                found.append(int(p))
        except OSError:
            pass
    return found


def test_processes_a_kernel_leaves_behind_end_with_it(root):
    marker = f"cs231n-leftover-{os.getpid()}"
    (out,) = run_kernel(
        root,
        "a",
        "import subprocess, sys\n"
        f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', {marker!r}], "
        "start_new_session=True)\nprint('started')",
    )
    assert out == "started"
    deadline = time.monotonic() + 10
    while _running(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _running(marker), "a process started by a graded kernel outlived it"


def test_every_kernel_starts_fresh(root):
    first = run_kernel(
        root,
        "a",
        "import random, torch\ntorch.cs231n_marker = 1\nprint(random.random())",
    )
    second = run_kernel(
        root,
        "b",
        "import random, torch\nprint(random.random())",
        "print(hasattr(torch, 'cs231n_marker'))",
    )
    assert first[0] != second[0], "two kernels had the same random state"
    assert second[1] == "False"


def test_tmp_and_shm_are_private_to_each_kernel(root):
    write = (
        "import os\n"
        "for d in ('/tmp', '/dev/shm'):\n"
        "    if os.path.isdir(d):\n"
        "        open(os.path.join(d, 'cs231n-note'), 'w').write('answers')\n"
        "print('written')"
    )
    read = (
        "import os\n"
        "print([d for d in ('/tmp', '/dev/shm') if os.path.exists(os.path.join(d, 'cs231n-note'))])"
    )
    assert run_kernel(root, "a", write) == ["written"]
    assert run_kernel(root, "b", read) == ["[]"], "a file one kernel left in /tmp reached the next"


@pytest.mark.parametrize("sandbox", sorted({SANDBOXED, False}))
def test_course_files_under_tmp_stay_readable_and_read_only(root, tmp_path, monkeypatch, sandbox):
    # a CI clone and its venv live under /tmp: the private /tmp must bind them back, read-only
    from autograder import sandbox as sandbox_mod

    course = tmp_path / "clone" / "data"
    course.mkdir(parents=True)
    (course / "marker.txt").write_text("visible")
    course.chmod(0o777)  # only the read-only mount stops a write
    real = sandbox_mod.readable_paths
    monkeypatch.setattr(sandbox_mod, "readable_paths", lambda: [*real(), course])
    code = (
        f"print(open({str(course / 'marker.txt')!r}).read())\n"
        "try:\n"
        f"    open({str(course / 'new.txt')!r}, 'w')\n"
        "    print('writable')\n"
        "except OSError:\n"
        "    print('read-only')"
    )
    assert run_kernel(root, "a", code, sandbox=sandbox) == ["visible\nread-only"]


def test_server_that_died_is_started_again(root):
    run_kernel(root, "a", "print(1)")
    (server,) = forkserver._SERVERS.values()
    server.proc.kill()
    server.proc.wait()
    assert run_kernel(root, "b", "print(2)") == ["2"]


def test_kernels_start_the_ordinary_way_when_the_server_cannot(root, monkeypatch):
    monkeypatch.setattr(SandboxKernelManager, "_server_command", lambda self: ["false"])
    assert run_kernel(root, "a", "print(1)") == ["1"]
    assert "did not start" in forkserver.DISABLED
    assert run_kernel(root, "b", "print(2)") == ["2"]  # without trying the server again


def test_grades_same_with_and_without_forkserver(tmp_path, released):
    subs = tmp_path / "subs"
    expected = honest_class(subs, released)
    forked = grade(subs, tmp_path / "forked", forkserver=True)
    fresh = grade(subs, tmp_path / "fresh", forkserver=False)
    for key, score in expected.items():
        assert forked[key].score == fresh[key].score == score
        assert forked[key].status == fresh[key].status == "graded"
        assert forked[key].tests == fresh[key].tests


def test_grades_without_the_sandbox(tmp_path, released):
    # where bubblewrap is missing: rlimits, the fork server's namespaces, and a user id of the
    # kernel's own only if that user can reach Python (here it may live under /root)
    subs = tmp_path / "subs"
    expected = honest_class(subs, released)
    res = grade(subs, tmp_path / "out", sandbox=False, unsafe_same_user=True)
    for key, score in expected.items():
        assert (res[key].status, res[key].score) == ("graded", score), res[key].detail
