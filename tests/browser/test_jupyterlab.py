"""What a student and an instructor click in JupyterLab, in headless Chromium (see conftest.py).

Student lab (`make lab`'s configuration): Validate on a source notebook (which stays byte for byte
as committed), Run All and its outputs, a wrong answer typed into the student version and the
test's message, `%tensorboard` through jupyter-server-proxy, no instructor tools. Instructor lab
(`make instructor`): Formgrader lists exactly one assignment. A graded class: the report and a
student's feedback page ("hidden test failed", math drawn without a network).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from selenium.common.exceptions import JavascriptException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from test_exchange import NOTEBOOK, answer, source_notebook
from test_lab import TOKEN, LabServer, instructor_lab

from autograder.course import ASSIGNMENT, Course

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
WRONG_FLOPS = "return 2 * n * m * p"  # counts m additions per output instead of m - 1
WRONG_FLOPS_MESSAGE = "summing m products takes only m - 1 additions"


# -- helpers ----------------------------------------------------------------------------------------
def wait_for(predicate, timeout: float, what: str, interval: float = 0.5):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = predicate()
        except (WebDriverException, JavascriptException):
            last = None
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


def js(browser, script: str, *args):
    return browser.execute_script(script, *args)


def open_notebook(browser, lab: LabServer, path: str):
    """Open ``path`` in a fresh lab and wait until its cells are there and its kernel is idle."""
    browser.get(f"{lab.url}/lab/tree/{path}?token={TOKEN}&reset")
    name = path.rsplit("/", 1)[-1]
    wait_for(
        lambda: js(
            browser,
            "const p = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');"
            "return p && p.querySelectorAll('.jp-Cell').length > 1;",
        ),
        120,
        f"{name}'s cells",
    )
    wait_for(
        lambda: browser.find_elements(
            By.XPATH, "//*[contains(text(), 'Python 3 (cs231n) | Idle')]"
        ),
        180,
        f"{name}'s kernel (Python 3 (cs231n)) to be idle",
    )


def code_cells(browser):
    """[(prompt, source, output text, has error)] of the open notebook's code cells."""
    return js(
        browser,
        """
        const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
        return [...panel.querySelectorAll('.jp-CodeCell')].map(c => [
            (c.querySelector('.jp-InputPrompt') || {}).textContent || '',
            (c.querySelector('.cm-content') || {}).textContent || '',
            [...c.querySelectorAll('.jp-OutputArea-output')].map(o => o.textContent).join('\\n'),
            c.querySelector('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]') !== null
              && /Error|Traceback/.test([...c.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')].map(o => o.textContent).join(''))
        ]);""",
    )


def idle(browser) -> bool:
    return js(
        browser,
        "const e = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) "
        ".jp-Notebook-ExecutionIndicator'); return e && e.getAttribute('data-status') === 'idle';",
    )


def run_all(browser, timeout: float):
    menu = wait_for(
        lambda: browser.find_element(
            By.XPATH, "//li[contains(@class,'lm-MenuBar-item')][.//div[text()='Run']]"
        ),
        30,
        "the Run menu",
    )
    menu.click()
    item = wait_for(
        lambda: browser.find_element(
            By.CSS_SELECTOR, "li.lm-Menu-item[data-command='runmenu:run-all']"
        ),
        30,
        "Run All Cells",
    )
    item.click()
    time.sleep(1)

    def done():
        cells = code_cells(browser)
        return (
            idle(browser)
            and cells
            and all(p.strip() and "*" not in p and p.strip() != "[ ]:" for p, *_ in cells)
        )

    wait_for(done, timeout, "Run All to finish")
    return code_cells(browser)


# -- fixtures ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def student(tmp_path_factory):
    """`make lab`'s server on a folder holding a copy of the sources (``source/``) and the
    student version of 01_tensors (``student/``)."""
    tmp = tmp_path_factory.mktemp("student-lab")
    root = tmp / "root"
    (root / "source").mkdir(parents=True)
    for name in ("03_custom_function", "01_tensors"):
        (root / "source" / f"{name}.ipynb").write_bytes(
            (ROOT / "notebooks" / f"{name}.ipynb").read_bytes()
        )
    course = Course.create(tmp / "course", ["01_tensors"])
    release = course.generate_release()
    (root / "student").mkdir()
    (root / "student" / "01_tensors.ipynb").write_bytes((release / "01_tensors.ipynb").read_bytes())
    env = {"CS231N_RUNS_DIR": str(tmp / "runs")}
    lab = LabServer("student", tmp, root_dir=root, cwd=ROOT, env=env)
    lab.env.pop("MPLBACKEND", None)
    yield lab
    lab.stop()


# -- student ----------------------------------------------------------------------------------------
def test_student_validate_keeps_the_source_and_run_all(browser, shots, student):
    path = "source/03_custom_function.ipynb"
    committed = (ROOT / "notebooks" / "03_custom_function.ipynb").read_bytes()
    open_notebook(browser, student, path)
    shots("opened")
    # no instructor tools: no Nbgrader menu, no Formgrader command
    assert not browser.find_elements(
        By.XPATH, "//div[contains(@class,'lm-MenuBar-itemLabel') and text()='Nbgrader']"
    )
    validate = wait_for(
        lambda: browser.find_element(By.CSS_SELECTOR, "[aria-label='Validate']"),
        30,
        "the Validate button",
    )
    validate.click()
    dialog = wait_for(
        lambda: [
            d
            for d in browser.find_elements(By.CSS_SELECTOR, ".jp-Dialog")
            if "Validat" in d.text
            and ("Success" in d.text or "fail" in d.text.lower() or "error" in d.text.lower())
        ],
        240,
        "the validation result",
    )[0]
    shots("validated")
    assert "Success" in dialog.text, dialog.text
    dialog.find_element(
        By.CSS_SELECTOR, ".jp-Dialog-button.jp-mod-accept, .jp-Dialog-button"
    ).click()
    # Validate saved the notebook first: the file is still the committed one
    assert (student.root_dir / path).read_bytes() == committed, (
        "Validate changed the source notebook"
    )
    cells = run_all(browser, 300)
    shots("run_all")
    errors = [(p, out[-300:]) for p, _, out, err in cells if err]
    assert not errors, errors
    outputs = "\n".join(out for _, _, out, _ in cells)
    assert "Running on" in outputs and "cpu" in outputs.lower()


def test_student_types_a_wrong_answer_and_reads_the_message(browser, shots, student):
    open_notebook(browser, student, "student/01_tensors.ipynb")
    cell = wait_for(
        lambda: [
            c
            for c in browser.find_elements(By.CSS_SELECTOR, ".jp-CodeCell")
            if "def matmul_flops" in (c.get_attribute("textContent") or "")
        ],
        30,
        "matmul_flops",
    )[0]
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", cell)
    line = [
        ln
        for ln in cell.find_elements(By.CSS_SELECTOR, ".cm-line")
        if "raise NotImplementedError()" in ln.text
    ][0]
    line.click()
    actions = line.parent.switch_to.active_element
    actions.send_keys(Keys.END, Keys.SHIFT + Keys.HOME)
    actions.send_keys(WRONG_FLOPS)
    shots("typed")
    assert WRONG_FLOPS in cell.text
    actions.send_keys(Keys.SHIFT + Keys.ENTER)  # runs the solution cell, selects the test cell
    time.sleep(0.5)
    browser.switch_to.active_element.send_keys(Keys.SHIFT + Keys.ENTER)  # runs the test cell
    cells = wait_for(
        lambda: (
            idle(browser)
            and [c for c in code_cells(browser) if "_check_matmul_flops" in c[1] and c[2]]
        ),
        120,
        "the test's output",
    )
    shots("test_message")
    _, _, output, error = cells[0]
    assert error and "AssertionError" in output and WRONG_FLOPS_MESSAGE in output, output


def test_tensorboard_magic_through_the_proxy(browser, shots, student, monkeypatch):
    from cs231n_tools.paths import run_dir

    monkeypatch.setenv("CS231N_RUNS_DIR", student.env["CS231N_RUNS_DIR"])
    logdir = run_dir("browser", "demo")
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    writer = EventFileWriter(str(logdir))
    for step in range(5):
        value = summary_pb2.Summary.Value(tag="loss", simple_value=1.0 / (step + 1))
        writer.add_event(
            event_pb2.Event(
                step=step, wall_time=time.time(), summary=summary_pb2.Summary(value=[value])
            )
        )
    writer.close()
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("%load_ext tensorboard"),
            nbformat.v4.new_code_cell(f"%tensorboard --logdir {logdir.parent}"),
        ],
        metadata={
            "kernelspec": {
                "name": "python3",
                "display_name": "Python 3 (cs231n)",
                "language": "python",
            }
        },
    )
    nbformat.write(nb, student.root_dir / "tensorboard.ipynb")
    open_notebook(browser, student, "tensorboard.ipynb")
    cells = run_all(browser, 180)
    assert not [c for c in cells if c[3]], cells
    frame = wait_for(
        lambda: browser.find_element(By.CSS_SELECTOR, "iframe[id^='tensorboard-frame']"),
        60,
        "TensorBoard's frame",
    )
    src = frame.get_attribute("src")
    assert "/proxy/" in src, src  # through jupyter-server-proxy, not a port of its own
    browser.execute_script("arguments[0].scrollIntoView()", frame)
    browser.switch_to.frame(frame)
    try:
        wait_for(
            lambda: "loss" in browser.find_element(By.TAG_NAME, "body").text,
            120,
            "the loss curve in TensorBoard",
        )
    finally:
        browser.switch_to.default_content()
    time.sleep(2)
    shots("tensorboard")


# -- instructor -------------------------------------------------------------------------------------
def test_instructor_formgrader_shows_one_assignment(browser, shots, tmp_path):
    lab = instructor_lab(tmp_path)
    try:
        browser.get(f"{lab.url}/lab?token={TOKEN}")
        wait_for(
            lambda: browser.find_elements(
                By.XPATH, "//div[contains(@class,'lm-MenuBar-itemLabel') and text()='Nbgrader']"
            ),
            120,
            "the Nbgrader menu",
        )
        browser.get(f"{lab.url}/formgrader")
        names = wait_for(
            lambda: [e.text for e in browser.find_elements(By.CSS_SELECTOR, "td.name")],
            120,
            "the assignments",
        )
        shots("formgrader")
        assert names == [ASSIGNMENT]
        assert not [
            e
            for e in browser.find_elements(By.CSS_SELECTOR, "#warning-exchange")
            if e.is_displayed()
        ]
    finally:
        lab.stop()


# -- a graded class ---------------------------------------------------------------------------------
def test_report_and_feedback_page(browser, shots, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    nbformat.write(source_notebook(), src / f"{NOTEBOOK}.ipynb")
    release = Course.create(tmp_path / "course", [NOTEBOOK], source_dir=src).generate_release()
    sub = tmp_path / "submissions" / "alice"
    sub.mkdir(parents=True)
    nbformat.write(
        answer(nbformat.read(release / f"{NOTEBOOK}.ipynb", as_version=4)),
        sub / f"{NOTEBOOK}.ipynb",
    )
    grading = tmp_path / "grading"
    env = dict(os.environ, PATH=os.pathsep.join([str(BIN), os.environ["PATH"]]))
    for cmd in (
        [
            sys.executable,
            "-m",
            "autograder",
            "autograde",
            str(tmp_path / "submissions"),
            "--out",
            str(grading),
            "--source",
            str(src),
            "--workers",
            "1",
            "--no-progress",
        ],
        [
            str(BIN / "nbgrader"),
            "generate_feedback",
            ASSIGNMENT,
            "--force",
        ],  # the course's feedback settings
        [sys.executable, "-m", "autograder", "report", str(grading)],
    ):
        result = subprocess.run(
            cmd,
            cwd=grading if "generate_feedback" in cmd else None,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    browser.get((grading / "report" / "index.html").as_uri())
    shots("report")
    assert "What to hand back" in browser.page_source
    link = wait_for(
        lambda: browser.find_element(By.XPATH, "//table[contains(@class,'students')]//a"),
        10,
        "a feedback link",
    )
    assert link.text == "2 / 3"
    link.click()
    wait_for(
        lambda: "hidden test failed" in browser.find_element(By.TAG_NAME, "body").text,
        30,
        "the feedback page",
    )
    shots("feedback")
    failed = browser.find_element(By.XPATH, "//*[contains(text(), 'hidden test failed')]")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", failed)
    shots("feedback_hidden_test")
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "hidden test failed: AssertionError: double is wrong on float64" in body
    maths = browser.find_elements(By.TAG_NAME, "math")
    assert len(maths) >= 2 and all(m.size["width"] > 0 for m in maths)  # drawn, offline
    assert "$x$" not in body
