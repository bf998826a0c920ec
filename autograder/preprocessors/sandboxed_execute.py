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
"""

from __future__ import annotations

import json
import secrets
import time

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.v4 import new_code_cell, new_output
from nbgrader.preprocessors import Execute
from traitlets import Bool, Float, Integer, Unicode

from ..guard import TAMPER_MIME
from ..kernel_manager import SandboxKernelManager

NOT_RUN_ENAME = "NotRun"
NOT_RUN_TIMEOUT = "not run: the notebook reached its time limit of {seconds:g} s"
NOT_RUN_STUCK = "not run: the kernel did not respond after a time-out in an earlier cell"
CELL_STUCK = "the cell ran past its time limit and the kernel did not respond to the interrupt"
NOT_RUN_DEAD = "not run: the kernel died in an earlier cell ({reason})"
OUTPUT_TRUNCATED = "\n[grader: output limit of {limit} bytes reached; further output of this notebook is dropped]\n"
FINAL_CELL = "import autograder.guard as _cs231n_guard; _cs231n_guard.final_report({nonce!r})"


def _size(msg) -> int:
    content = msg.get("content", {})
    if "text" in content:
        return len(content["text"])
    return sum(len(str(v)) for v in content.get("data", {}).values()) + len(
        str(content.get("traceback", ""))
    )


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
        if self.workdir:
            resources = dict(resources or {})
            resources["metadata"] = {**resources.get("metadata", {}), "path": self.workdir}
        final = None
        if self.guard and issubclass(self.kernel_manager_class, SandboxKernelManager):
            final = new_code_cell(FINAL_CELL.format(nonce=self._nonce))
            nb.cells.append(final)
        try:
            nb, resources = super().preprocess(nb, resources, km)
        except DeadKernelError as exc:  # died before the first cell or while starting
            self._kernel_died(str(exc) or "kernel died", None)
        finally:
            if final is not None and final in nb.cells:
                nb.cells.remove(final)
                self._report["final_report"] = self._read_final(final)
            self._report["total_s"] = time.monotonic() - self._t0
            self._report["output_truncated"] = self._truncated
            if self.report_path:
                with open(self.report_path, "w") as fh:
                    json.dump(self._report, fh)
        return nb, resources

    def _read_final(self, cell):
        for out in cell.get("outputs", []):
            payload = out.get("data", {}).get(TAMPER_MIME)
            if isinstance(payload, dict) and payload.get("nonce") == self._nonce:
                return {"rebound": payload.get("rebound", [])}
        return None

    def _remaining(self) -> float | None:
        return None if self._deadline is None else self._deadline - time.monotonic()

    def _kernel_died(self, reason: str, cell_index) -> None:
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
        remaining = self._remaining()
        if self._stop is None and remaining is not None and remaining <= 0:
            self._report["timed_out"] = True
            self._stop = NOT_RUN_TIMEOUT.format(seconds=self.notebook_timeout)
        if self._stop is not None:
            if cell.source.startswith("import autograder.guard"):
                return cell, resources  # the guard's report cannot run: left without output
            self._not_run(cell)
            return cell, resources
        start = time.monotonic()
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError as exc:
            self._kernel_died(str(exc) or "kernel died", index)
            self._not_run(cell)
            cell.outputs[0]["evalue"] = f"the kernel died while running this cell ({exc})"
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

    # -- nbclient hooks -------------------------------------------------------------------------
    def _get_timeout(self, cell):
        timeout = super()._get_timeout(cell)
        remaining = self._remaining()
        if remaining is None:
            return timeout
        remaining = max(1, int(remaining + 0.999))
        return remaining if timeout is None else min(timeout, remaining)

    def output(self, outs, msg, display_id, cell_index):
        is_guard = TAMPER_MIME in msg.get("content", {}).get("data", {})
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
