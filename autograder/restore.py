"""Rebuild a submitted notebook on the source's skeleton before nbgrader grades it.

nbgrader's ``OverwriteCells`` restores a test cell whose ``grade_id`` it finds, but a deleted
test cell simply is not graded, a test moved above its exercise fails, and duplicated or edited
metadata confuse it. :func:`rebuild` makes a notebook that has

- every cell of the source, in the source's order: test cells and locked cells exactly as in the
  source (hidden tests included), each solution cell with the student's code (matched by
  ``grade_id``, else by cell id) under the source's metadata, the other cells as the student
  left them (or as released, if deleted);
- the cells the student added, each placed before the source cell it preceded;

and names every repair in a list of problems (which the grader puts in ``detail``).
"""

from __future__ import annotations

import copy
import re
import uuid

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_raw_cell

DELETED_TEST = "test cell '{gid}' was deleted: the source's is graded"
DELETED_LOCKED = "locked cell '{gid}' was deleted: restored"
EDITED_TEST = "test cell '{gid}' was edited: the source's is graded"
EDITED_LOCKED = "locked cell '{gid}' was edited: restored"
MISSING_SOLUTION = "solution cell '{gid}' is missing: graded as unanswered"
DUPLICATE_ID = "cell id '{gid}' appears {n} times: {what}"
METADATA_CHANGED = "nbgrader metadata of cell '{gid}' was changed: the source's is used"
REORDERED = "cells were reordered ('{a}' before '{b}'): graded in the source's order"
UNKNOWN_ID = "cell id '{gid}' is not in the source: graded as an ordinary cell"

_MAKERS = {"code": new_code_cell, "markdown": new_markdown_cell, "raw": new_raw_cell}


def meta(cell) -> dict:
    md = cell.get("metadata", {}) if isinstance(cell, dict) else {}
    nbg = md.get("nbgrader", {}) if isinstance(md, dict) else {}
    return nbg if isinstance(nbg, dict) else {}


def grade_id(cell) -> str | None:
    gid = meta(cell).get("grade_id")
    return gid if isinstance(gid, str) else None


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _plain(cell, *, cell_type=None, metadata=None, cell_id=None):
    """A clean nbformat cell with ``cell``'s source (outputs dropped)."""
    kind = cell_type or cell.get("cell_type", "code")
    made = _MAKERS.get(kind, new_code_cell)(source=_source(cell))
    made.metadata = copy.deepcopy(
        metadata
        if metadata is not None
        else {k: v for k, v in (cell.get("metadata") or {}).items() if k != "nbgrader"}
    )
    made.id = cell_id or made.id
    return made


def _canon(nbg: dict) -> dict:
    return {k: nbg.get(k) for k in ("grade", "solution", "locked", "points", "grade_id", "task")}


def rebuild(submitted, source, release) -> tuple[nbformat.NotebookNode, list[str]]:
    """The notebook to grade and the list of repairs made (see the module docstring)."""
    problems: list[str] = []
    release_by_id = {c.get("id"): c for c in release.cells}
    release_by_gid = {grade_id(c): c for c in release.cells if grade_id(c)}
    src_gids = {grade_id(c): c for c in source.cells if grade_id(c)}
    src_ids = {c.get("id"): c for c in source.cells}

    def key_of(cell):
        gid = grade_id(cell)
        if gid in src_gids:
            return ("g", gid)
        cid = cell.get("id")
        if cid in src_ids:
            s = src_ids[cid]
            if grade_id(s):
                problems.append(METADATA_CHANGED.format(gid=grade_id(s)))
                return ("g", grade_id(s))
            return ("i", cid)
        if gid:
            problems.append(UNKNOWN_ID.format(gid=gid))
        return None

    matched: dict[tuple, list] = {}
    before: dict[tuple, list] = {}
    order: list[tuple] = []
    buffer: list = []
    for cell in submitted.cells:
        if not isinstance(cell, dict):
            continue
        key = key_of(cell)
        if key is None or (key[0] == "i" and key in matched):
            buffer.append(_plain(cell, cell_id=cell.get("id")))
            continue
        matched.setdefault(key, []).append(cell)
        if key not in before:
            before[key] = buffer
        buffer = []
        if key[0] == "g":
            order.append(key[1])

    src_order = [grade_id(c) for c in source.cells if grade_id(c)]
    rank = {g: i for i, g in enumerate(src_order)}
    seen = list(dict.fromkeys(order))
    for a, b in zip(seen, seen[1:], strict=False):
        if rank[a] > rank[b]:
            problems.append(REORDERED.format(a=a, b=b))
            break

    out = []
    for s in source.cells:
        gid = grade_id(s)
        key = ("g", gid) if gid else ("i", s.get("id"))
        out.extend(before.get(key, []))
        got = matched.get(key, [])
        nbg = meta(s)
        if gid and nbg.get("solution"):
            rel = release_by_gid.get(gid, s)
            if len(got) > 1:
                problems.append(
                    DUPLICATE_ID.format(gid=gid, n=len(got), what="the last copy is graded")
                )
            if got:
                if _canon(meta(got[-1])) != _canon(meta(rel)) and not any(
                    gid in p for p in problems
                ):
                    problems.append(METADATA_CHANGED.format(gid=gid))
                out.append(
                    _plain(
                        got[-1],
                        cell_type=rel.get("cell_type"),
                        metadata=rel.get("metadata"),
                        cell_id=s.get("id"),
                    )
                )
            else:
                problems.append(MISSING_SOLUTION.format(gid=gid))
                out.append(_plain(rel, metadata=rel.get("metadata"), cell_id=s.get("id")))
        elif gid:  # a test cell or another locked cell: always the source's
            graded = bool(nbg.get("grade"))
            rel = release_by_gid.get(gid, s)
            if not got:
                problems.append((DELETED_TEST if graded else DELETED_LOCKED).format(gid=gid))
            else:
                if len(got) > 1:
                    problems.append(
                        DUPLICATE_ID.format(gid=gid, n=len(got), what="the copies are ignored")
                    )
                if _source(got[0]).strip() not in (_source(rel).strip(), _source(s).strip()):
                    problems.append((EDITED_TEST if graded else EDITED_LOCKED).format(gid=gid))
                elif _canon(meta(got[0])) != _canon(meta(rel)) and not any(
                    f"'{gid}'" in p for p in problems
                ):
                    problems.append(METADATA_CHANGED.format(gid=gid))
            out.append(_plain(s, metadata=s.get("metadata"), cell_id=s.get("id")))
        elif got:
            out.append(_plain(got[0], cell_type=got[0].get("cell_type"), cell_id=s.get("id")))
        elif s.get("id") in release_by_id:
            out.append(_plain(release_by_id[s.get("id")], cell_id=s.get("id")))
    out.extend(buffer)

    final, ids = [], set()
    for c in out:
        cid = c.get("id")
        if not cid or cid in ids or not re.fullmatch(r"[a-zA-Z0-9-_]{1,64}", str(cid)):
            c.id = uuid.uuid4().hex[:12]
        ids.add(c.id)
        final.append(c)

    nb = nbformat.v4.new_notebook(metadata=copy.deepcopy(source.metadata))
    nb.cells = final
    return nb, list(dict.fromkeys(problems))


#: deeper than any notebook needs (cell -> outputs -> data -> a JSON output is about 8 levels),
#: shallow enough that nbformat's validator and ``copy.deepcopy`` never hit Python's recursion limit
MAX_DEPTH = 100
EMPTY = "empty file"
NOT_JSON = "not valid JSON ({error})"
TOO_DEEP = "not a notebook: its JSON is nested too deeply (more than {depth} levels)"
NOT_A_NOTEBOOK = "not a notebook (no list of cells)"
UNREADABLE = "not a readable notebook ({error})"


def _depth_exceeds(data, limit: int) -> bool:
    """Whether ``data`` nests lists and dicts more than ``limit`` deep (iterative: a deep
    document must not exhaust the stack that checks it)."""
    stack = [(data, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return False


def read_submission(path) -> nbformat.NotebookNode:
    """Parse a submitted file as a notebook; raises ``ValueError`` with the reason.

    Every way a file can fail to be a notebook ends here as a ``ValueError`` (the job's
    ``invalid_notebook``): bytes that are not JSON, JSON nested so deeply that parsing it
    would exhaust Python's stack (``RecursionError`` is not a ``ValueError``), JSON that is
    not an object with a list of cells, and a notebook nbformat cannot read."""
    import json

    raw = path.read_bytes()
    if not raw.strip():
        raise ValueError(EMPTY)
    try:
        data = json.loads(raw)
    except RecursionError:
        raise ValueError(TOO_DEEP.format(depth=MAX_DEPTH)) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(NOT_JSON.format(error=exc)) from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise ValueError(NOT_A_NOTEBOOK)
    if _depth_exceeds(data, MAX_DEPTH):
        raise ValueError(TOO_DEEP.format(depth=MAX_DEPTH))
    try:
        nb = nbformat.reads(json.dumps(data), as_version=4)
    except Exception as exc:  # noqa: BLE001 - any reader failure means the same
        raise ValueError(UNREADABLE.format(error=f"{type(exc).__name__}: {exc}")) from None
    return nb
