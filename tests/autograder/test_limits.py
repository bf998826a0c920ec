"""Bad input and limits (issue 12, section 4): the disk quota of a job, the size of every tmpfs,
the cap on one kernel message, and files that are not notebooks.

First each part on its own, with real processes (a writer the watchdog must stop, bubblewrap
filling its tmpfs, the kernel's packer), then the corpus ``hostile/limits/`` (written by its
``make_limits.py``) graded in one class beside honest students, who must keep exactly the
grades they get alone; then the grader's own memory while it grades a 400 MB print."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import nbformat
import pytest
from grading_helpers import HOSTILE, grade, honest_class, limits, put
from jupyter_client.session import json_packer

from autograder import message_cap, watchdog
from autograder.sandbox import (
    PROTECTIONS,
    Limits,
    bwrap_args,
    kernel_user_id,
    probe,
    protections,
)

LIMITS_DIR = HOSTILE / "limits"
sys.path.insert(0, str(LIMITS_DIR))
from make_limits import WROTE, build  # noqa: E402

MiB = 2**20
#: a small quota keeps the test quick: the fill attacks stop after about 130 MB each
QUOTA_MB = 128
LIMITS = replace(limits(), disk_bytes=QUOTA_MB * MiB)
DISK = watchdog.DISK_QUOTA.format(mb=QUOTA_MB).split(":")[0]

#: corpus file -> (status, score out of 3, text the detail must contain)
EXPECTED = {
    "fills_home": ("kernel_died", 0, DISK),
    "fills_cwd": ("kernel_died", 0, DISK),
    "many_empty_files": ("kernel_died", 0, DISK),
    "fills_tmp": ("graded", 3, ""),  # a tmpfs of the quota's size: "No space left on device"
    "fills_shm": ("graded", 3, ""),
    "huge_print": ("graded", 3, "output beyond"),
    "huge_display": ("graded", 3, ""),
    "deep_json": ("invalid_notebook", 0, "nested too deeply"),
    "not_a_notebook": ("invalid_notebook", 0, "not a notebook"),
    "cells_not_a_list": ("invalid_notebook", 0, "not a notebook"),
}
SANDBOXED = probe()[0]
needs_sandbox = pytest.mark.skipif(not SANDBOXED, reason=f"bubblewrap unusable here: {probe()[1]}")


# -- the corpus is what its generator writes ---------------------------------------------------
def test_corpus_is_complete_and_up_to_date(tmp_path):
    assert sorted(p.stem for p in LIMITS_DIR.glob("*.ipynb")) == sorted(EXPECTED)
    written = build(tmp_path)
    stale = [n for n, p in written.items() if (LIMITS_DIR / p.name).read_bytes() != p.read_bytes()]
    assert stale == [], "run .venv/bin/python tests/autograder/hostile/limits/make_limits.py"


def test_probe_and_report_name_the_new_protections():
    assert {"disk", "messages"} <= set(PROTECTIONS)
    held = protections(sandboxed=True)
    assert held["disk"] and held["messages"]
    # without the sandbox, /tmp is the machine's: only a user id of the kernel's own tells its
    # files apart, and the report must say so when there is none
    assert protections(sandboxed=False)["disk"] == kernel_user_id(sandboxed=False)


# -- the disk quota --------------------------------------------------------------------------------
def test_disk_usage_counts_blocks_links_once_and_empty_files(tmp_path):
    (tmp_path / "a").write_bytes(b"x" * 100_000)
    os.link(tmp_path / "a", tmp_path / "hard")  # the same inode: counted once
    (tmp_path / "sub").mkdir()
    for i in range(10):
        (tmp_path / "sub" / str(i)).touch()  # no blocks, one 4 KiB charge each
    (tmp_path / "link").symlink_to("/usr")  # counted, never followed
    sparse = tmp_path / "sparse"
    with open(sparse, "wb") as f:
        f.truncate(10**9)  # holds no blocks: not a gigabyte of disk
    used = watchdog.disk_usage([tmp_path])
    assert 100_000 + 10 * 4096 <= used < 100_000 + 20 * 4096 + 65536
    # stops early: over a small limit after its first folders
    assert watchdog.disk_usage([tmp_path], limit=1) > 1


def test_disk_usage_counts_only_the_owners_entries_in_shared_folders(tmp_path):
    shared = tmp_path / "tmp"
    shared.mkdir()
    (shared / "mine").write_bytes(b"x" * 50_000)
    (shared / "theirs").write_bytes(b"x" * 50_000)
    if os.geteuid() == 0:
        os.chown(shared / "theirs", 12345, 12345)
    else:
        pytest.skip("files of another user id can only be made as root")
    mine = watchdog.disk_usage([], owner=os.getuid(), shared=[shared])
    assert 50_000 <= mine < 100_000
    watchdog.remove_owned(os.getuid(), [shared])
    assert sorted(p.name for p in shared.iterdir()) == ["theirs"]


WRITER = """
import os, sys
block, n = b"x" * 10_000_000, 0
while True:
    with open(os.path.join(sys.argv[1], f"f{n}"), "wb") as f:
        f.write(block)
    n += 1
"""


def test_watchdog_stops_a_fast_writer_near_the_quota(tmp_path):
    quota = 200 * MiB
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)])
    dog = watchdog.Watchdog(
        roots=[tmp_path], quota=quota, kill=proc.kill, alive=lambda: proc.poll() is None
    )
    t0 = time.monotonic()
    dog.start()
    try:
        proc.wait(timeout=120)
    finally:
        proc.kill()
        dog.stop()
    held = watchdog.disk_usage([tmp_path])
    print(
        f"stopped at {held / MiB:.0f} MB after {time.monotonic() - t0:.2f} s;",
        f"{dog.measures} measures, {dog.measure_s * 1000:.1f} ms in all",
    )
    assert dog.reason == watchdog.DISK_QUOTA.format(mb=200)
    assert quota < held < quota + 100 * MiB  # it ran past the quota, and not far


def test_watchdog_of_an_idle_job_costs_little(tmp_path):
    for i in range(40):  # a home after a notebook: caches, a profile, a few outputs
        (tmp_path / f"f{i}").write_bytes(b"x" * 1000)
    dog = watchdog.Watchdog(
        roots=[tmp_path], quota=Limits.disk_bytes, kill=lambda: None, alive=lambda: True
    )
    dog.start()
    time.sleep(2.0)
    t0 = time.perf_counter()
    dog.stop()
    stopped_in = time.perf_counter() - t0
    assert dog.reason is None
    assert dog.measures <= 6  # every 0.5 s when nothing grows (and one early look)
    assert dog.measure_s / dog.measures < 0.02
    assert stopped_in < 0.2  # stopping wakes the thread: no wait for its next measure


@needs_sandbox
def test_every_tmpfs_of_the_sandbox_has_the_quotas_size(tmp_path):
    args = bwrap_args(
        writable=[tmp_path], workdir=tmp_path, as_root=os.geteuid() == 0, tmpfs_bytes=20 * MiB
    )
    for place in ("/tmp", "/dev/shm"):
        i = args.index(place)
        assert args[i - 1] == "--tmpfs" and args[i - 3 : i - 1] == ["--size", str(20 * MiB)]
    fill = (
        "import os\n"
        "for d in ('/tmp', '/dev/shm', '/dev'):\n"
        "    n = 0\n"
        "    try:\n"
        "        while n < 100:\n"
        "            open(f'{d}/f{n}', 'wb').write(b'x' * 2**20)\n"
        "            n += 1\n"
        "        print(d, n, 'no limit')\n"
        "    except OSError as e:\n"
        "        print(d, n, e.strerror)\n"
        "open('/dev/null', 'w').write('device files stay writable')\n"
    )
    proc = subprocess.run([*args, sys.executable, "-c", fill], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    lines = dict(line.split(" ", 1) for line in proc.stdout.splitlines())
    for place in ("/tmp", "/dev/shm"):
        n, why = lines[place].split(" ", 1)
        assert why == "No space left on device" and 15 <= int(n) <= 20, lines
    assert lines["/dev"] == "0 Read-only file system"


# -- the message cap ---------------------------------------------------------------------------------
def test_packer_leaves_ordinary_messages_alone():
    for obj in (
        {"name": "stdout", "text": "hello\n"},
        {"data": {"text/plain": "1", "image/png": "iVBOR" * 1000}, "metadata": {}},
        {"status": "ok", "execution_count": 3, "user_expressions": {}},
        {"ename": "AssertionError", "evalue": "wrong", "traceback": ["a", "b"]},
    ):
        assert message_cap.capped_packer(obj) == json_packer(obj)


@pytest.mark.parametrize(
    "obj,field",
    [
        ({"name": "stdout", "text": "x" * 50_000_000}, "text"),
        ({"name": "stdout", "text": "\x01" * 5_000_000}, "text"),  # six bytes each in JSON
        ({"data": {"text/html": "y" * 50_000_000, "text/plain": "<Huge>"}}, "data"),
        ({"ename": "ValueError", "evalue": "v" * 50_000_000, "traceback": ["t"] * 10}, "evalue"),
        ({"ename": "E", "evalue": "", "traceback": ["t" * 1_000_000] * 100}, "traceback"),
        ({"weird": [["w" * 1000] * 100] * 100}, "weird"),
    ],
)
def test_packer_cuts_what_would_pass_the_cap(obj, field):
    packed = message_cap.capped_packer(obj)
    assert len(packed) <= message_cap.LIMIT
    out = json.loads(packed)
    assert field in out
    if field in ("text", "evalue", "data"):
        assert message_cap.MARK in json.dumps(out)
    if field == "data":
        assert set(out["data"]) == {"text/plain"}  # the page is dropped, not cut in half
        assert out["data"]["text/plain"].startswith("<Huge>")


def test_grader_sockets_drop_a_frame_over_the_cap_unread():
    """The grader's side of the cap, for a kernel that put its own packer back: the frame over
    the cap never reaches the grader (zeromq drops it, and that connection, before reading it)."""
    import zmq

    from autograder.kernel_manager import SandboxKernelManager

    km = SandboxKernelManager(message_bytes=64 * 1024)
    kc = km.client()
    assert kc.context.sockopts[zmq.MAXMSGSIZE] == 64 * 1024 == km.context.sockopts[zmq.MAXMSGSIZE]
    # the client's own sockets are asyncio ones: a plain socket with the same options shows
    # what they do with a frame over the cap on a real (ipc) connection, the kernel's transport
    ctx = kc.context
    pub, sub = zmq.Context.shadow(ctx.underlying).socket(zmq.PUB), None
    try:
        path = f"ipc://{Path(tempfile.mkdtemp()) / 's'}"
        pub.bind(path)
        sub = zmq.Context.shadow(ctx.underlying).socket(zmq.SUB)
        sub.setsockopt(zmq.MAXMSGSIZE, ctx.sockopts[zmq.MAXMSGSIZE])
        sub.setsockopt(zmq.SUBSCRIBE, b"")
        sub.connect(path)
        time.sleep(0.3)
        pub.send(b"small")
        assert sub.poll(2000) and sub.recv() == b"small"
        pub.send(b"x" * (65 * 1024))
        pub.send(b"after")
        assert not sub.poll(1000)  # the big frame and the connection are gone
    finally:
        pub.close(linger=0)
        if sub is not None:
            sub.close(linger=0)
        kc.stop_channels()
        km.context.destroy(linger=0)


# -- the corpus, graded beside honest students -------------------------------------------------------
@pytest.fixture(scope="module")
def graded(tmp_path_factory, released):
    root = tmp_path_factory.mktemp("limits")
    alone_subs, class_subs = root / "alone", root / "class"
    expected = honest_class(alone_subs, released)
    honest_class(class_subs, released)
    for name in EXPECTED:
        put(class_subs, name, "01_square", LIMITS_DIR / f"{name}.ipynb")
    alone = grade(alone_subs, root / "out-alone", cell_timeout=60, timeout=120, limits=LIMITS)
    together = grade(class_subs, root / "out-class", cell_timeout=60, timeout=120, limits=LIMITS)
    return {"alone": alone, "class": together, "expected": expected, "root": root}


def _square_outputs(graded, student) -> str:
    path = graded["root"] / "out-class" / "autograded" / student / "notebooks" / "01_square.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "square")
    return "".join(str(o.get("text", o.get("data", o.get("evalue", "")))) for o in cell.outputs)


@pytest.mark.slow
def test_honest_grades_unchanged_by_limit_breakers(graded):
    for key, score in graded["expected"].items():
        alone, together = graded["alone"][key], graded["class"][key]
        assert alone.status == together.status == "graded", (key, together.detail)
        assert alone.score == together.score == score, key
        assert alone.tests == together.tests, key


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_limit_breaker_status(graded, name):
    status, score, detail = EXPECTED[name]
    res = graded["class"][(name, "01_square")]
    assert (res.status, res.score, res.max_score) == (status, score, 3), res.detail
    assert detail in res.detail


@pytest.mark.slow
@pytest.mark.parametrize("name", ["fills_tmp", "fills_shm"])
def test_tmpfs_writer_stops_at_the_quota(graded, name):
    text = _square_outputs(graded, name)
    assert "stopped: No space left on device" in text, text[-500:]
    wrote = [int(n) for n in re.findall(rf"{WROTE} (\d+)", text)]
    assert wrote and QUOTA_MB - 20 <= max(wrote) <= QUOTA_MB, wrote[-3:]


@pytest.mark.slow
def test_huge_outputs_arrive_cut_with_a_note(graded):
    for name in ("huge_print", "huge_display"):
        text = _square_outputs(graded, name)
        assert len(text) < 3 * MiB
    assert message_cap.MARK in _square_outputs(graded, "huge_display")


MEASURE = """
import concurrent.futures as cf, json, sys
from dataclasses import replace
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from grading_helpers import grade, limits
# the kernel needs room to make a 400 MB output at all (a 2 GiB kernel dies of it first)
roomy = replace(limits(), memory_bytes=6 * 2**30)
with cf.ThreadPoolExecutor(1) as ex:  # the jobs run in this process: its peak is the grader's
    res = grade(Path(sys.argv[2]), Path(sys.argv[3]), executor=ex, workers=1, limits=roomy)
peak = next(int(ln.split()[1]) for ln in open("/proc/self/status") if ln.startswith("VmHWM"))
res = {k[0]: [r.status, r.score, r.detail] for k, r in res.items()}
print(json.dumps({"peak_mb": peak / 1024, "res": res}))
"""


@pytest.mark.slow
def test_grader_memory_stays_bounded_while_grading_a_400_mb_print(tmp_path):
    """One process grades the 400 MB print and the 400 MB page: its peak resident memory
    stays far below one such message (1.35 GB before the cap; about 135 MB for any notebook)."""
    subs = tmp_path / "subs"
    for name in ("huge_print", "huge_display"):
        put(subs, name, "01_square", LIMITS_DIR / f"{name}.ipynb")
    helpers = str(Path(__file__).resolve().parent)
    proc = subprocess.run(
        [sys.executable, "-c", MEASURE, helpers, str(subs), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"grader peak: {got['peak_mb']:.0f} MB")
    assert [r[:2] for r in got["res"].values()] == [["graded", 3.0]] * 2, got
    # the controls: the kernel did make both outputs (it did not die of them first), the print
    # reached the grader cut to the cap, the page as the kernel's note
    assert "output beyond" in got["res"]["huge_print"][2], got
    out = tmp_path / "out" / "autograded" / "huge_display" / "notebooks" / "01_square.ipynb"
    assert message_cap.MARK in out.read_text()
    assert got["peak_mb"] < 400, got
