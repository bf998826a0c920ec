"""`make lab`'s server: JupyterLab starts on notebooks/ and lists the eight notebooks."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from autograder.course import NOTEBOOKS

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_jupyterlab_serves_the_course(tmp_path):
    port, token = free_port(), "cs231n-test"
    jupyter = Path(sys.executable).parent / "jupyter"
    cmd = [str(jupyter), "lab", "--notebook-dir=notebooks", "--no-browser", f"--port={port}",
           "--ip=127.0.0.1", f"--ServerApp.token={token}"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path), JUPYTER_CONFIG_DIR=str(tmp_path / "config"))
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 90
        listing = None
        while time.time() < deadline and listing is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents?token={token}", timeout=5) as r:
                    listing = json.load(r)
            except OSError:
                assert proc.poll() is None, "jupyter lab exited early"
                time.sleep(1)
        assert listing is not None, "JupyterLab did not answer within 90 s"
        names = {c["name"] for c in listing["content"]}
        assert {f"{n}.ipynb" for n in NOTEBOOKS} <= names
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token={token}", timeout=10) as r:
            assert r.status == 200
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/kernelspecs?token={token}", timeout=10) as r:
            assert "python3" in json.load(r)["kernelspecs"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
