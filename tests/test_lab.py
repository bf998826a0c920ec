"""The two JupyterLab modes of the Makefile, started the way `make lab` / `make instructor` start
them, checked through the server's REST API (the browser tests in tests/browser/ click through
the same servers):

- student (`make lab`): the eight notebooks, the course's kernel, the course's PATH in the
  server's terminals and kernels, TensorBoard behind jupyter-server-proxy, nbgrader's
  instructor extensions off (Validate on), and saving a notebook keeps its committed metadata;
- instructor (`make instructor`): Formgrader on `instructor/` lists exactly one assignment,
  "notebooks", with its gradebook in the course directory, not in the sources.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from autograder.course import (
    ASSIGNMENT,
    INSTRUCTOR_LAB_EXTENSIONS,
    NEWS_LAB_EXTENSION,
    NOTEBOOKS,
    keep_notebook_metadata,
    lab_config,
    prepare_instructor_course,
)

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
TOKEN = "cs231n-test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """A JupyterLab server started as the Makefile starts it (mode "student" or "instructor"),
    with its runtime files, the user's config and data in ``tmp``."""

    def __init__(self, mode: str, tmp: Path, *, root_dir: Path, cwd: Path, env: dict | None = None):
        self.mode, self.tmp, self.port = mode, Path(tmp), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.root_dir = root_dir
        cmd = [
            str(VENV_BIN / "jupyter"),
            "lab",
            f"--notebook-dir={root_dir}",
            "--no-browser",
            f"--port={self.port}",
            "--ip=127.0.0.1",
            f"--ServerApp.token={TOKEN}",
            "--ServerApp.disable_check_xsrf=False",
        ]
        if os.geteuid() == 0:
            cmd.append("--allow-root")
        # plots inline in the lab; no $SHELL, as under CI or a service: terminals still get bash
        base = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "SHELL")}
        self.env = dict(
            base,
            # what the Makefile's LAB_ENV sets
            PATH=os.pathsep.join([str(VENV_BIN), "/usr/bin:/bin"]),
            JUPYTER_CONFIG_PATH=str(ROOT / "jupyter" / mode),
            # the user's own Jupyter folders, empty
            JUPYTER_CONFIG_DIR=str(self.tmp / "user-config"),
            JUPYTER_DATA_DIR=str(self.tmp / "user-data"),
            JUPYTER_RUNTIME_DIR=str(self.tmp / "runtime"),
            JUPYTERLAB_WORKSPACES_DIR=str(self.tmp / "workspaces"),
            HOME=str(self.tmp / "home"),
            **(env or {}),
        )
        (self.tmp / "home").mkdir(parents=True, exist_ok=True)
        self.log = open(self.tmp / f"jupyter-{mode}.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            cmd, cwd=cwd, env=self.env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.time() + 120
        while True:
            try:
                self.get("/api/status")
                break
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"jupyter lab exited early:\n{self.log_text()}") from None
                if time.time() > deadline:
                    raise RuntimeError(
                        f"JupyterLab did not answer within 120 s:\n{self.log_text()}"
                    ) from None
                time.sleep(1)

    def log_text(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return (self.tmp / f"jupyter-{self.mode}.log").read_text()

    def request(self, path: str, method: str = "GET", body=None, timeout: float = 60):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            f"{self.url}{path}",
            data=data,
            method=method,
            headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=timeout) as r:
            text = r.read().decode()
        return json.loads(text) if text.strip()[:1] in ("[", "{") else text

    def get(self, path: str, timeout: float = 60):
        return self.request(path, timeout=timeout)

    def run_in_terminal(self, command: str, timeout: float = 60) -> str:
        """Run ``command`` in a new lab terminal; returns what the terminal printed."""
        import asyncio

        import tornado.websocket

        name = self.request("/api/terminals", "POST", {})["name"]
        marker = "CS231N-DONE"

        async def talk():
            ws = await tornado.websocket.websocket_connect(
                tornado.httpclient.HTTPRequest(
                    f"ws://127.0.0.1:{self.port}/terminals/websocket/{name}",
                    headers={"Authorization": f"token {TOKEN}"},
                )
            )
            await ws.write_message(json.dumps(["stdin", f"{command}; echo {marker}-$?\r"]))
            out, deadline = "", time.time() + timeout
            while time.time() < deadline:
                msg = await asyncio.wait_for(ws.read_message(), deadline - time.time())
                if msg is None:
                    break
                kind, *rest = json.loads(msg)
                if kind == "stdout":
                    out += rest[0]
                    if re.search(rf"{marker}-\d", out):
                        break
            ws.close()
            return out

        import tornado.httpclient

        try:
            return asyncio.run(talk())
        finally:
            self.request(f"/api/terminals/{name}", "DELETE")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def student_lab(tmp: Path, notebooks: Path | None = None, **kw) -> LabServer:
    """``make lab``: the server in the repository, rooted at ``notebooks`` (default: a copy of the
    course's notebooks in ``tmp``, so that nothing a test saves touches the sources)."""
    if notebooks is None:
        notebooks = tmp / "notebooks"
        shutil.copytree(ROOT / "notebooks", notebooks)
    return LabServer("student", tmp, root_dir=notebooks, cwd=ROOT, **kw)


def instructor_lab(tmp: Path, **kw) -> LabServer:
    """``make instructor`` on a course directory in ``tmp`` laid out as ``instructor/``."""
    course = prepare_instructor_course(tmp / "instructor")
    shutil.copy2(ROOT / "instructor" / "nbgrader_config.py", course / "nbgrader_config.py")
    env = {"CS231N_INSTRUCTOR_DIR": str(course), **kw.pop("env", {})}
    return LabServer("instructor", tmp, root_dir=course, cwd=course, env=env, **kw)


# -- configuration, no server ---------------------------------------------------------------------
def test_student_page_config_disables_the_instructor_extensions():
    page = json.loads((ROOT / "jupyter/student/labconfig/page_config.json").read_text())
    assert page["disabledExtensions"] == dict.fromkeys(
        [*INSTRUCTOR_LAB_EXTENSIONS, NEWS_LAB_EXTENSION], True
    )
    assert "@jupyter/nbgrader:validate-assignment" not in page["disabledExtensions"]
    instructor = json.loads((ROOT / "jupyter/instructor/labconfig/page_config.json").read_text())
    assert instructor["disabledExtensions"] == {NEWS_LAB_EXTENSION: True}


def test_lab_config_sets_path_proxy_and_save_hook(monkeypatch):
    from traitlets.config import Config

    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.delenv("TENSORBOARD_PROXY_URL", raising=False)
    c = Config()
    lab_config(c, mode="student", runs="/tmp/runs")
    assert os.environ["PATH"].split(os.pathsep)[0] == str(VENV_BIN)
    assert os.environ["TENSORBOARD_PROXY_URL"] == "/proxy/%PORT%/"
    assert c.FileContentsManager.pre_save_hook is keep_notebook_metadata
    tb = c.ServerProxy.servers["tensorboard"]
    assert tb["command"][:5] == [
        sys.executable,
        "-m",
        "cs231n_tools.notebook",
        "--logdir",
        "/tmp/runs",
    ]
    assert tb["launcher_entry"]["title"] == "TensorBoard"
    c2 = Config()
    lab_config(c2, mode="instructor", runs="/tmp/runs")
    assert "jpserver_extensions" not in c2.ServerApp
    with pytest.raises(ValueError):
        lab_config(Config(), mode="teacher")


@pytest.mark.filterwarnings("ignore:Overriding existing pre_save_hook")
def test_saving_keeps_the_committed_kernelspec(tmp_path):
    """What JupyterLab sends when it saves an opened notebook (its kernel's kernelspec and
    language_info) does not replace the file's."""
    import nbformat
    from jupyter_server.services.contents.filemanager import FileContentsManager

    src = ROOT / "notebooks" / "03_custom_function.ipynb"
    shutil.copy2(src, tmp_path / src.name)
    cm = FileContentsManager(root_dir=str(tmp_path), pre_save_hook=keep_notebook_metadata)
    model = cm.get(src.name)
    model["content"].metadata["kernelspec"] = {
        "display_name": "Python 3 (other)",
        "language": "python",
        "name": "python3",
    }
    model["content"].metadata["language_info"] = {
        "name": "python",
        "version": "3.11.99",
        "mimetype": "text/x-python",
    }
    cm.save(
        {"type": "notebook", "format": "json", "content": json.loads(json.dumps(model["content"]))},
        src.name,
    )
    assert (tmp_path / src.name).read_bytes() == src.read_bytes()
    # a new notebook keeps what the lab wrote
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "x", "language": "python"}}
    )
    cm.save(
        {"type": "notebook", "format": "json", "content": json.loads(json.dumps(nb))}, "new.ipynb"
    )
    assert (
        json.loads((tmp_path / "new.ipynb").read_text())["metadata"]["kernelspec"]["display_name"]
        == "x"
    )


def test_prepare_instructor_course_links_the_sources(tmp_path):
    root = prepare_instructor_course(tmp_path / "instructor")
    link = root / "source" / ASSIGNMENT
    assert link.is_symlink() and link.resolve() == (ROOT / "notebooks").resolve()
    assert set(NOTEBOOKS) <= {p.stem for p in link.glob("*.ipynb")}
    assert prepare_instructor_course(root) == root  # a second call changes nothing


def test_makefile_starts_both_modes_with_the_course_on_path():
    make = shutil.which("make")
    if make is None:
        pytest.skip("no make on this machine")
    out = subprocess.run(
        [make, "-n", "lab", "instructor"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ, VENV=str(VENV_BIN.parent)),
        check=True,
    ).stdout
    lab = next(ln for ln in out.splitlines() if "jupyter lab --notebook-dir=notebooks" in ln)
    assert f'PATH="{VENV_BIN}:' in lab and "jupyter/student" in lab
    inst = next(ln for ln in out.splitlines() if ln.startswith("cd instructor"))
    assert "jupyter/instructor" in inst and "--notebook-dir=." in inst
    if os.geteuid() == 0:
        assert "--allow-root" in lab and "--allow-root" in inst


# -- real servers ---------------------------------------------------------------------------------
@pytest.mark.slow
def test_student_lab(tmp_path):
    lab = student_lab(tmp_path)
    try:
        listing = lab.get("/api/contents")
        assert {f"{n}.ipynb" for n in NOTEBOOKS} <= {c["name"] for c in listing["content"]}
        specs = lab.get("/api/kernelspecs")
        assert specs["default"] == "python3" and "python3" in specs["kernelspecs"]
        # instructor server extensions are off, Validate is on
        assert "Formgrader" not in lab.log_text()
        for path in ("/formgrader", "/courses"):
            with pytest.raises(urllib.error.HTTPError) as err:
                lab.get(path)
            assert err.value.code == 404
        page = lab.get("/lab")
        for ext in INSTRUCTOR_LAB_EXTENSIONS:
            assert ext in page  # listed under disabledExtensions in the page config
        # the course's Python, nbgrader and tensorboard in the lab's terminal
        out = lab.run_in_terminal(
            "for c in python tensorboard nbgrader; do command -v $c; done; "
            "python -c 'import nbgrader, autograder'; echo shell=${BASH_VERSION:+bash}"
        )
        if shutil.which("bash"):
            assert "shell=bash" in out, f"the lab's terminal is not bash:\n{out}"
        assert f"{VENV_BIN}/python" in out and f"{VENV_BIN}/tensorboard" in out, out
        assert "CS231N-DONE-0" in out, out
        # TensorBoard behind jupyter-server-proxy (the Launcher's tile)
        html = lab.get("/tensorboard/", timeout=90)
        assert "<tf-tensorboard" in html or "tensorboard" in html.lower()
    finally:
        lab.stop()


@pytest.mark.slow
def test_instructor_lab_formgrader_lists_one_assignment(tmp_path):
    lab = instructor_lab(tmp_path)
    try:
        assignments = lab.get("/formgrader/api/assignments")
        assert [a["name"] for a in assignments] == [ASSIGNMENT], assignments
        assert (tmp_path / "instructor" / "gradebook.db").exists()  # in the course, not the sources
        assert not (tmp_path / "instructor" / "source" / "gradebook.db").exists()
        # the Assignment List reads the configured exchange without an error
        listing = lab.get("/assignments?course_id=cs231n-dl-software")
        assert listing.get("success") is True, listing
    finally:
        lab.stop()


def test_student_bundle_makefile_installs_once_and_allows_root(tmp_path):
    """The bundle's `make lab`: no reinstall while the install stamp is newer than
    pyproject.toml, --allow-root as root, the student lab configuration."""
    from autograder.release import MAKEFILE

    make = shutil.which("make")
    if make is None:
        pytest.skip("no make on this machine")
    (tmp_path / "Makefile").write_text(MAKEFILE)
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / ".venv").mkdir()
    time.sleep(0.01)
    (tmp_path / ".venv" / ".cs231n-installed").write_text("")
    out = subprocess.run(
        [make, "-n", "lab"], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout
    assert "pip install" not in out, out
    assert "JUPYTER_CONFIG_PATH=" in out and "jupyter/student" in out
    assert ("--allow-root" in out) == (os.geteuid() == 0)
    os.utime(tmp_path / "pyproject.toml")  # changed dependencies: install again
    os.utime(tmp_path / ".venv" / ".cs231n-installed", (0, 0))
    out = subprocess.run(
        [make, "-n", "lab"], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout
    assert "pip install" in out


def test_run_dir_is_stable_and_replaces_the_previous_run(tmp_path, monkeypatch):
    from cs231n_tools.paths import run_dir

    monkeypatch.setenv("CS231N_RUNS_DIR", str(tmp_path))
    first = run_dir("04_modules", "sgd")
    (first / "events.out.tfevents.1").write_text("old")
    again = run_dir("04_modules", "sgd")
    assert again == first == tmp_path / "04_modules" / "sgd" and list(again.iterdir()) == []
    (again / "keep").write_text("x")
    assert list(run_dir("04_modules", "sgd", clear=False).iterdir()) == [again / "keep"]
    assert sorted(p.name for p in (tmp_path / "04_modules").iterdir()) == [
        "sgd"
    ]  # no new folder per run
    for bad in ("", "..", "a/b"):
        with pytest.raises(ValueError):
            run_dir("04_modules", bad)
