"""The cap on one message from a kernel to the grader (:attr:`autograder.sandbox.Limits.message_bytes`).

One ``print`` of 400 MB used to reach the grader as one 400 MB frame, which it received, copied,
parsed and kept: the grader process grew to 1.35 GB for that one cell. The cap holds on both
sides of the connection:

- in the kernel, :func:`capped_packer` is the session's packer (``--Session.packer``, set by
  :class:`autograder.kernel_manager.SandboxKernelManager`): an output that would pack to more
  than the cap is cut before it is sent (a stream's text, an error's message and traceback)
  or replaced (a rich output such as an image) by a note that says so, so an honest notebook's
  huge output arrives as a short one and its cell runs on;
- in the grader, every socket connected to the kernel refuses a frame larger than the cap
  (zeromq's ``ZMQ_MAXMSGSIZE``) before reading it: a kernel that puts its own packer back and
  sends one anyway loses that connection for good (zeromq does not reconnect after a protocol
  error), so its later outputs, the tamper guard's final report included, never arrive and
  the notebook is ``tampered``.

The kernel reads the cap from :data:`LIMIT_ENV`; this module is imported by every kernel, so it
imports nothing heavy.
"""

from __future__ import annotations

import os

from jupyter_client.session import json_packer

LIMIT_ENV = "CS231N_MESSAGE_BYTES"
DEFAULT_LIMIT = 8 * 2**20
#: the note a cut output ends with (:data:`MARK` finds it in an autograded notebook)
MARK = "[grader: output of "
CUT = "\n" + MARK + "{size} cut: one message may hold at most {limit} bytes]\n"
#: the packer's dotted name, as ``--Session.packer`` takes it
PACKER = f"{__name__}.capped_packer"


def limit() -> int:
    try:
        return max(4096, int(os.environ.get(LIMIT_ENV, DEFAULT_LIMIT)))
    except ValueError:
        return DEFAULT_LIMIT


LIMIT = limit()


def _note(size: int, cap: int) -> str:
    return CUT.format(size=f"{size:,} characters", limit=f"{cap:,}")


def _cut_text(text: str, keep: int, cap: int) -> str:
    return text[: max(0, keep)] + _note(len(text), cap)


def _precut(obj: dict, cap: int) -> dict:
    """Cut what is plainly too long before packing (packing 400 MB would need 400 MB more):
    a stream's text, an error's message and traceback, a rich output's data. Returns ``obj``
    itself when nothing is (the common case: a few dictionary lookups)."""
    out = None
    text = obj.get("text")
    if isinstance(text, str) and len(text) > cap // 2:
        out = dict(obj)
        out["text"] = _cut_text(text, cap // 4, cap)
    evalue = obj.get("evalue")
    if isinstance(evalue, str) and len(evalue) > cap // 8:
        out = out or dict(obj)
        out["evalue"] = _cut_text(evalue, cap // 16, cap)
    tb = obj.get("traceback")
    if isinstance(tb, list) and sum(len(x) if isinstance(x, str) else 1 for x in tb) > cap // 4:
        out = out or dict(obj)
        out["traceback"] = [
            _cut_text(x, cap // (16 * len(tb)), cap) if isinstance(x, str) else "" for x in tb
        ][:64]
    data = obj.get("data")
    if isinstance(data, dict):
        sizes = {k: len(v) if isinstance(v, str) else 0 for k, v in data.items()}
        if sum(sizes.values()) > cap // 2:
            out = out or dict(obj)
            kept = {k: v for k, v in data.items() if sizes[k] <= cap // (4 * len(data))}
            plain = kept.get("text/plain")
            note = _note(sum(sizes.values()), cap)
            kept["text/plain"] = (plain + note) if isinstance(plain, str) else note.strip()
            out["data"] = kept
    return obj if out is None else out


def _shrink(obj, budget: int, cap: int):
    """``obj`` with every string longer than ``budget`` cut and every list trimmed."""
    if isinstance(obj, str):
        return obj if len(obj) <= budget else _cut_text(obj, budget, cap)
    if isinstance(obj, dict):
        return {str(k)[:budget]: _shrink(v, budget, cap) for k, v in list(obj.items())[:budget]}
    if isinstance(obj, (list, tuple)):
        return [_shrink(v, budget, cap) for v in obj[:budget]]
    return obj


def capped_packer(obj) -> bytes:
    """jupyter_client's JSON packer, with the result kept under the cap (see the module)."""
    cap = LIMIT
    if isinstance(obj, dict):
        obj = _precut(obj, cap)
    packed = json_packer(obj)
    if len(packed) <= cap:
        return packed
    budget = cap // 8
    while budget >= 64:
        packed = json_packer(_shrink(obj, budget, cap))
        if len(packed) <= cap:
            return packed
        budget //= 4
    # nothing of this shape fits: keep its short plain fields, say what was dropped
    small = {}
    if isinstance(obj, dict):
        small = {
            k: v
            for k, v in obj.items()
            if isinstance(v, (bool, int, float)) or (isinstance(v, str) and len(v) <= 256)
        }
        if "text" in obj:
            small["text"] = _note(len(packed), cap)
    return json_packer(small)
