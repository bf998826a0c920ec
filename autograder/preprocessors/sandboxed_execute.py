"""nbgrader's ``Execute`` with the kernel in the sandbox and limits on the whole notebook.

On top of ``Execute`` (which it configures like nbgrader does, per-cell ``timeout`` included):

- the kernel manager is :class:`autograder.kernel_manager.SandboxKernelManager`;
- ``notebook_timeout`` bounds the whole run: each cell may wait only for what is left, and the
  cells after the limit are not run but get an error output (0 points for a test among them);
- a kernel that dies (killed, out of memory) costs the cells from there on the same way,
  instead of failing the whole conversion;
- at most ``output_limit`` bytes of output are kept for the notebook; the rest is dropped;
- the kernel's cwd is ``workdir`` (the submission's own working copy), not the folder that
  holds the notebook with its hidden tests;
- a last cell, not saved in the notebook, asks the tamper guard for its final report;
- what happened is written as JSON to ``report_path`` for the grader.

Tampering (see also :mod:`autograder.guard`, README "Fair"):

- before the kernel runs anything, the student's cells are read against ``source_notebook``
  (:mod:`autograder.scan`): the notebook runs up to the first cell that uses an interpreter
  primitive; that cell and every cell after it are not run (a test among them gets 0), and
  the cell carries a tamper report naming what was found;
- before the first cell, a silent request tells the guard which cells are the source's locked
  cells and which names they bind (:func:`autograder.scan.trusted_cells`), so that rebinding
  ``check_tensor`` or ``torch`` in a cell of the student's own is found;
- a test cell's verdict is taken from what the grader saw arrive, not from what the kernel
  left in the cell: an ``error`` message seen for the cell counts even if a later
  ``clear_output`` removed it (it is put back), an error reply without an ``error`` message
  gets one, and an ``execute_result`` of a test cell becomes ``display_data`` (nbgrader would
  read it as a partial-credit number).
"""

from __future__ import annotations

import json
import secrets
import time

from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.v4 import new_code_cell, new_output
from nbgrader import utils
from nbgrader.preprocessors import Execute
from traitlets import Bool, Float, Integer, Unicode

from .. import spare
from ..guard import TAMPER_MIME
from ..kernel_manager import SandboxKernelManager
from ..scan import label, scan_notebook, trusted_cells
from .zero_tampered_tests import has_tamper_report

NOT_RUN_ENAME = "NotRun"
NOT_RUN_TIMEOUT = "not run: the notebook reached its time limit of {seconds:g} s"
NOT_RUN_STUCK = "not run: the kernel did not respond after a time-out in an earlier cell"
CELL_STUCK = "the cell ran past its time limit and the kernel did not respond to the interrupt"
NOT_RUN_DEAD = "not run: the kernel died in an earlier cell ({reason})"
OUTPUT_TRUNCATED = "\n[grader: output limit of {limit} bytes reached; further output of this notebook is dropped]\n"
FINAL_CELL = "import autograder.guard as _cs231n_guard; _cs231n_guard.final_report({nonce!r})"
TRUST_CELL = "__import__('autograder.guard').guard.trust({table!r})"
NOT_RUN_TAMPERED = (
    "not run: {findings}; code that reaches into the interpreter (IPython, gc, ctypes, frames, "
    "trace functions, the grader) is not graded"
)
MAX_FINDINGS = 3
MORE_FINDINGS = "and {n} more"
FORGED = "test cell {cell}: {what}"
FORGED_RESULT = "a result was displayed from inside the test (displayhook)"
ERROR_CLEARED = "its error was cleared from the output after it was raised"
REPORT_CLEARED = "the tamper guard's report was cleared from the output"
ERROR_REPLY_ENAME = "ErrorWithoutTraceback"
ERROR_REPLY = "the kernel reported an error in this cell ({ename}) but sent no error output"


def _size(msg) -> int:
    content = msg.get("content", {})
    if "text" in content:
        return len(content["text"])
    return sum(len(str(v)) for v in content.get("data", {}).values()) + len(
        str(content.get("traceback", ""))
    )


_SOURCES: dict[str, tuple] = {}


def _read_source(path: str):
    """The source notebook and its trusted cells, read once per worker for each content."""
    import hashlib

    import nbformat

    with open(path, "rb") as fh:
        raw = fh.read()
    key = hashlib.sha256(raw).hexdigest()
    if key not in _SOURCES:
        source = nbformat.reads(raw.decode(), as_version=4)
        _SOURCES[key] = (source, trusted_cells(source))
    return _SOURCES[key]


def _own_result(source: str, outputs: list, results: list[int]) -> bool:
    """Can the ``execute_result`` outputs of a test cell be the value of its last expression?
    Only one, in a cell that ends with an expression, after which nothing but the guard's
    report came; any other was displayed from code the test called (``displayhook``)."""
    import ast

    try:
        body = ast.parse(source).body
    except SyntaxError:
        return False
    if not body or not isinstance(body[-1], ast.Expr) or len(results) != 1:
        return False
    return all(TAMPER_MIME in out.get("data", {}) for out in outputs[results[0] + 1 :])


class SandboxedExecute(Execute):
    notebook_timeout = Float(0, help="Seconds for the whole notebook (0: no limit).").tag(
        config=True
    )
    output_limit = Integer(2 * 2**20, help="Bytes of output kept for the whole notebook.").tag(
        config=True
    )
    report_path = Unicode("", help="Where to write the JSON report of the run.").tag(config=True)
    workdir = Unicode("", help="The kernel's working directory.").tag(config=True)
    guard = Bool(True, help="Ask the tamper guard for its final report.").tag(config=True)
    source_notebook = Unicode(
        "", help="The instructor's source notebook: the student's cells are read against it."
    ).tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxKernelManager)
        super().__init__(*args, **kwargs)

    # -- the run ------------------------------------------------------------------------------
    def preprocess(self, nb, resources=None, km=None):
        self._t0 = time.monotonic()
        self._deadline = self._t0 + self.notebook_timeout if self.notebook_timeout else None
        self._stop: str | None = None
        self._out_bytes = 0
        self._truncated = False
        self._report = {
            "timed_out": False,
            "cell_timeouts": [],
            "kernel_died": None,
            "output_truncated": False,
            "final_report": None,
            "kernel_start_s": None,
            "cells_s": 0.0,
            "total_s": None,
        }
        self._nonce = secrets.token_hex(16)
        self._findings: dict[int, list] = {}
        self._trusted: dict[str, list[str]] = {}
        self._seen: dict[int, dict[str, list]] = {}  # cell -> "error"/"tamper" -> outputs
        self._nb = nb
        self._replies: dict[int, dict] = {}
        self._trust_sent = False
        self._spare_due = False
        if self.source_notebook:
            t_scan = time.monotonic()
            source, self._trusted = _read_source(self.source_notebook)
            self._findings = scan_notebook(nb, source)
            self._report["scan_s"] = time.monotonic() - t_scan
        self._report["static_findings"] = {
            str(i): [str(f) for f in found] for i, found in self._findings.items()
        }
        if self.workdir:
            resources = dict(resources or {})
            resources["metadata"] = {**resources.get("metadata", {}), "path": self.workdir}
        final = None
        if self.guard and issubclass(self.kernel_manager_class, SandboxKernelManager):
            final = new_code_cell(FINAL_CELL.format(nonce=self._nonce))
            nb.cells.append(final)
        adopted = None
        if km is None and self.config.SandboxKernelManager.get("runtime_dir"):
            # the kernel its worker started for this job while the last one ran (spare.py)
            adopted = spare.adopt(self.config.SandboxKernelManager.runtime_dir)
        self._adopted = adopted is not None
        try:
            for attempt in (1, 2):
                try:
                    nb, resources = super().preprocess(nb, resources, adopted or km)
                except DeadKernelError as exc:  # died before the first cell or while starting
                    self._kernel_died(str(exc) or "kernel died", None)
                except RuntimeError as exc:
                    # "Kernel died before replying to kernel_info": the kernel failed to start,
                    # before any submitted code ran (seen intermittently): a grader fault, not
                    # the submission's, so one fresh kernel is started
                    if attempt == 2 or self._report["kernel_start_s"] is not None:
                        raise
                    if "kernel_info" not in str(exc):
                        raise
                    self._report["kernel_start_retried"] = str(exc)
                    adopted, self._adopted = None, False
                    continue
                break
        finally:
            spare.finish_starting()  # in this loop, before the job's kernel is gone
            if final is not None and final in nb.cells:
                nb.cells.remove(final)
                self._report["final_report"] = self._read_final(final)
            self._report["total_s"] = time.monotonic() - self._t0
            self._report["output_truncated"] = self._truncated
            if self.report_path:
                with open(self.report_path, "w") as fh:
                    json.dump(self._report, fh)
        return nb, resources

    def setup_kernel(self, **kwargs):
        """nbclient's, which shuts down only kernels it started: an adopted one is this job's
        too, so it is shut down the same way at the end."""
        if getattr(self, "_adopted", False):
            kwargs.setdefault("cleanup_kc", True)
        return super().setup_kernel(**kwargs)

    def _read_final(self, cell):
        for out in cell.get("outputs", []):
            payload = out.get("data", {}).get(TAMPER_MIME)
            if isinstance(payload, dict) and payload.get("nonce") == self._nonce:
                return {"rebound": payload.get("rebound", [])}
        return None

    def _remaining(self) -> float | None:
        return None if self._deadline is None else self._deadline - time.monotonic()

    def _kernel_died(self, reason: str, cell_index) -> None:
        # the grader's own reason when it stopped the kernel (disk quota), else the client's
        reason = getattr(self.km, "stop_reason", None) or reason
        self._stop = NOT_RUN_DEAD.format(reason=reason)
        self._report["kernel_died"] = {"cell": cell_index, "reason": reason}

    def _not_run(self, cell) -> None:
        cell.outputs = [
            new_output(
                "error",
                ename=NOT_RUN_ENAME,
                evalue=self._stop,
                traceback=[f"{NOT_RUN_ENAME}: {self._stop}"],
            )
        ]
        cell.execution_count = None

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        if self._report["kernel_start_s"] is None:
            self._report["kernel_start_s"] = time.monotonic() - self._t0
            self._report["kernel_adopted"] = self._adopted
            self._spare_due = True  # this kernel runs: the next job's starts with this cell
        remaining = self._remaining()
        if self._stop is None and remaining is not None and remaining <= 0:
            self._report["timed_out"] = True
            self._stop = NOT_RUN_TIMEOUT.format(seconds=self.notebook_timeout)
        if self._stop is None and index in self._findings:
            found = [str(f) for f in self._findings[index][:MAX_FINDINGS]]
            if len(self._findings[index]) > MAX_FINDINGS:
                found.append(MORE_FINDINGS.format(n=len(self._findings[index]) - MAX_FINDINGS))
            self._stop = NOT_RUN_TAMPERED.format(findings="; ".join(found))
            self._not_run(cell)
            cell.outputs.append(
                new_output(
                    "display_data",
                    data={TAMPER_MIME: {"found": found}, "text/plain": "; ".join(found)},
                )
            )
            return cell, resources
        if self._stop is not None:
            if cell.source.startswith("import autograder.guard"):
                return cell, resources  # the guard's report cannot run: left without output
            self._not_run(cell)
            return cell, resources
        if not self._trust_sent and self.guard and self._trusted:
            self._trust_sent = True
            self._send_trust()
        start = time.monotonic()
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError as exc:
            self._kernel_died(str(exc) or "kernel died", index)
            self._not_run(cell)
            cell.outputs[0]["evalue"] = (
                f"the kernel died while running this cell ({self._report['kernel_died']['reason']})"
            )
            return cell, resources
        except CellTimeoutError:  # no reply even after the interrupt: the kernel is stuck
            self._report["cell_timeouts"].append(index)
            self._stop = NOT_RUN_STUCK
            ename = self.error_on_timeout.get("ename", "CellTimeoutError")
            cell.outputs.append(
                new_output(
                    "error", ename=ename, evalue=CELL_STUCK, traceback=[f"{ename}: {CELL_STUCK}"]
                )
            )
            return cell, resources
        finally:
            self._report["cells_s"] += time.monotonic() - start
        reports = self._seen.get(index, {}).get("tamper", [])
        if reports and not has_tamper_report(cell):  # the guard's report was cleared: put back
            self._seen[index]["tamper_cleared"] = True
            cell.outputs.extend(reports)
        if utils.is_grade(cell) and not utils.is_solution(cell):
            self._settle_test(cell, index)
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error" and out.get("ename") == self.error_on_timeout.get(
                "ename"
            ):
                self._report["cell_timeouts"].append(index)
                remaining = self._remaining()
                if remaining is not None and remaining <= 1:
                    self._report["timed_out"] = True
                    self._stop = NOT_RUN_TIMEOUT.format(seconds=self.notebook_timeout)
                break
        return cell, resources

    def _settle_test(self, cell, index: int) -> None:
        """A test cell's outputs as the grader saw them arrive (see the module docstring);
        a test cell whose outputs were forged gets a tamper report, so 0 points."""
        outputs = cell.outputs
        forged = []
        results = [i for i, out in enumerate(outputs) if out.get("output_type") == "execute_result"]
        if results and not _own_result(cell.source, outputs, results):
            forged.append(FORGED_RESULT)
        results = [outputs[i] for i in results]
        for out in results:
            out["output_type"] = "display_data"
            out.pop("execution_count", None)
        seen = self._seen.get(index, {})
        errors = seen.get("error", [])
        if errors and not any(out.get("output_type") == "error" for out in outputs):
            forged.append(ERROR_CLEARED)
            outputs.append(errors[0])
        if seen.get("tamper_cleared"):
            forged.append(REPORT_CLEARED)
        reply = self._replies.get(index)
        if reply is not None and reply.get("status") != "ok" and not errors:
            ename = str(reply.get("ename", "Error"))
            text = ERROR_REPLY.format(ename=ename)
            forged.append(text)
            outputs.append(
                new_output(
                    "error", ename=ERROR_REPLY_ENAME, evalue=text, traceback=[f"{ename}: {text}"]
                )
            )
        if forged:
            found = [FORGED.format(cell=label(self._nb, index), what=what) for what in forged]
            outputs.append(
                new_output(
                    "display_data",
                    data={TAMPER_MIME: {"found": found}, "text/plain": "; ".join(found)},
                )
            )

    def _send_trust(self) -> None:
        """Tell the guard the source's locked cells (a silent request: no history, no
        post_run_cell hooks, no output in the notebook). Its reply is not waited for: the
        kernel runs its shell requests in order, so the guard has the table before the first
        cell runs, and nbclient reads only the replies and outputs of the cell it sent (a
        guard that could not take the table protects no names, as before)."""
        self.kc.execute(
            TRUST_CELL.format(table=self._trusted),
            silent=True,
            store_history=False,
            allow_stdin=False,
        )

    # -- nbclient hooks -------------------------------------------------------------------------
    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        """nbclient's, and with the first cell the start of the worker's next kernel
        (:func:`autograder.spare.start_soon`): a task of this loop, which runs once the cell's
        request has gone to the kernel, so the two run side by side."""
        if getattr(self, "_spare_due", False):
            self._spare_due = False
            spare.start_soon()
        return await super().async_execute_cell(cell, cell_index, execution_count, store_history)

    execute_cell = run_sync(async_execute_cell)  # nbclient's is bound to its own coroutine

    async def _check_raise_for_error(self, cell, cell_index, exec_reply):
        if exec_reply is not None:
            self._replies[cell_index] = dict(exec_reply.get("content", {}))
        return await super()._check_raise_for_error(cell, cell_index, exec_reply)

    def _get_timeout(self, cell):
        timeout = super()._get_timeout(cell)
        remaining = self._remaining()
        if remaining is None:
            return timeout
        remaining = max(1, int(remaining + 0.999))
        return remaining if timeout is None else min(timeout, remaining)

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        is_guard = TAMPER_MIME in content.get("data", {})
        # kept as they arrive: a later clear_output cannot take them back
        if msg.get("msg_type") == "error":
            self._seen.setdefault(cell_index, {}).setdefault("error", []).append(
                new_output(
                    "error",
                    ename=str(content.get("ename", "Error"))[:200],
                    evalue=str(content.get("evalue", ""))[:10_000],
                    traceback=[str(t)[:10_000] for t in content.get("traceback", [])[:200]],
                )
            )
        elif is_guard and len(self._seen.get(cell_index, {}).get("tamper", [])) < 20:
            self._seen.setdefault(cell_index, {}).setdefault("tamper", []).append(
                new_output("display_data", data=dict(content.get("data", {})))
            )
        if not is_guard and msg.get("msg_type") != "error":
            self._out_bytes += _size(msg)
            if self._out_bytes > self.output_limit:
                if not self._truncated:
                    self._truncated = True
                    outs.append(
                        new_output(
                            "stream",
                            name="stdout",
                            text=OUTPUT_TRUNCATED.format(limit=self.output_limit),
                        )
                    )
                return None
        return super().output(outs, msg, display_id, cell_index)
