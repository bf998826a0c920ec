"""The hostile corpus (hostile/*.ipynb, written by make_corpus.py): graded in one class with
honest students, each gets the right status, and every honest notebook keeps exactly the grade
it gets when the honest students are graded alone. Each isolation probe carries its positive
control (it finds its own copy, writes its own folder, its sockets work, the grader's loopback
listener is up), so a probe that is broken cannot pass for a sandbox that works."""

from __future__ import annotations

import socket
from pathlib import Path

import nbformat
import pytest
from grading_helpers import HOSTILE, grade, honest_class, put, source
from make_corpus import LOOPBACK_PORT, PWNED, VICTIM_SECRET, build

from autograder.course import REPO_ROOT
from autograder.sandbox import probe

#: corpus file -> (status, score out of 3, text the detail must contain)
EXPECTED = {
    "infinite_loop": ("timeout", 1, "ran past the per-cell limit"),
    "memory_bomb": ("graded", 1, "memory limit reached in cell 'square'"),
    "fork_bomb": ("graded", 1, "process limit reached in cell 'square'"),
    "kernel_killed": ("kernel_died", 0, "the kernel died in cell 'square'"),
    "huge_output": ("graded", 3, "output beyond"),
    "invalid_json": ("invalid_notebook", 0, "not valid JSON"),
    "empty_file": ("invalid_notebook", 0, "empty file"),
    "reads_other_student": ("graded", 3, ""),
    "reads_source_notebook": ("graded", 3, ""),
    "writes_outside": ("graded", 3, ""),
    "network_access": ("graded", 3, ""),
    "patched_checks": (
        "tampered",
        1,
        "rebound torch.allclose, numpy.allclose, cs231n_tools.checks.check_tensor",
    ),
    "patches_at_call_time": ("tampered", 1, "rebound torch.allclose"),
    "deleted_test_cells": ("graded", 1, "test cell 'test_square' was deleted"),
}
SANDBOXED = probe()[0]
needs_sandbox = pytest.mark.skipif(not SANDBOXED, reason=f"bubblewrap unusable here: {probe()[1]}")


@pytest.fixture(scope="module")
def graded(tmp_path_factory, released):
    root = tmp_path_factory.mktemp("hostile")
    alone_subs, class_subs = root / "alone", root / "class"
    expected = honest_class(alone_subs, released)
    honest_class(class_subs, released)
    for name in EXPECTED:
        put(class_subs, name, "01_square", HOSTILE / f"{name}.ipynb")
    victim = source()
    victim.cells.append(nbformat.v4.new_markdown_cell(VICTIM_SECRET))
    put(class_subs, "victim", "01_square", victim)
    alone = grade(alone_subs, root / "out-alone", cell_timeout=20, timeout=60)
    # a service on the grader's loopback that no kernel may reach
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(("127.0.0.1", LOOPBACK_PORT))
        listener.listen(16)
        listening = True
    except OSError:
        listening = False
    try:
        if listening:  # the control: it answers on this side of the sandbox
            socket.create_connection(("127.0.0.1", LOOPBACK_PORT), timeout=3).close()
        together = grade(class_subs, root / "out-class", cell_timeout=20, timeout=60)
    finally:
        listener.close()
    return {
        "alone": alone,
        "class": together,
        "expected": expected,
        "root": root,
        "listening": listening,
    }


def test_corpus_is_complete():
    assert sorted(p.stem for p in HOSTILE.glob("*.ipynb")) == sorted(EXPECTED)


def test_committed_corpus_is_what_make_corpus_writes(tmp_path):
    written = build(tmp_path)
    assert sorted(p.name for p in written.values()) == sorted(
        p.name for p in HOSTILE.glob("*.ipynb")
    )
    stale = [p.name for p in written.values() if (HOSTILE / p.name).read_bytes() != p.read_bytes()]
    assert stale == [], "run .venv/bin/python tests/autograder/make_corpus.py and commit hostile/"


@pytest.mark.slow
def test_honest_grades_unchanged_by_hostile_classmates(graded):
    for key, score in graded["expected"].items():
        alone, together = graded["alone"][key], graded["class"][key]
        assert alone.status == "graded" and together.status == "graded", (
            key,
            alone.detail,
            together.detail,
        )
        assert alone.score == together.score == score, key
        assert alone.tests == together.tests, key
    assert graded["class"][("victim", "01_square")].score == 3


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_submission_status(graded, name):
    status, score, detail = EXPECTED[name]
    res = graded["class"][(name, "01_square")]
    assert (res.status, res.score, res.max_score) == (status, score, 3), res.detail
    assert detail in res.detail


def _outputs(graded, student):
    nb = nbformat.read(
        graded["root"] / "out-class" / "autograded" / student / "notebooks" / "01_square.ipynb",
        as_version=4,
    )
    return "\n".join(
        str(o.get("text", "")) for c in nb.cells if c.cell_type == "code" for o in c.outputs
    )


@pytest.mark.slow
@needs_sandbox
def test_cannot_read_other_students_or_sources_or_gradebook(graded):
    for student in ("reads_other_student", "reads_source_notebook"):
        text = _outputs(graded, student)
        assert "control: found my own copy" in text, f"{student}'s search finds nothing: {text}"
        assert "FOUND" not in text


@pytest.mark.slow
@needs_sandbox
def test_no_network(graded):
    text = _outputs(graded, "network_access")
    assert "control: sockets work True" in text, text
    assert "network: blocked" in text and "loopback: blocked" in text
    if not graded["listening"]:
        pytest.skip(f"port {LOOPBACK_PORT} was taken: the loopback probe had no listener")


@pytest.mark.slow
@needs_sandbox
def test_writes_nothing_outside_its_scratch(graded):
    assert "control: wrote my own folder True" in _outputs(graded, "writes_outside")
    places = [graded["root"], Path("/tmp"), Path("/root")]
    for top in ("notebooks", "autograder", "cs231n_tools", "data", "tests", "."):
        places.append(REPO_ROOT / top)
    leaked = []
    for place in places:
        leaked += [str(p) for p in place.glob(PWNED)]
    leaked += [str(p) for p in graded["root"].rglob(PWNED)]
    assert leaked == []
