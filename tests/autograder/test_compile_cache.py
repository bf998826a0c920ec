"""The torch.compile cache of graded kernels (autograder.compile_cache): built once from the
source notebook, found by every graded kernel (Inductor reports a cache hit, not a compile), a
private copy per kernel (what a submission writes to its cache never reaches the shared one or
another kernel), checked against its manifest (an altered cache is built again).

The course's own 07 is graded with its cache in test_real_notebooks.py; this module uses the
fixture course's 01_square with one ungraded cell that compiles a small function and prints
what Inductor's counters say."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from grading_helpers import grade, put, source, with_solution

from autograder import compile_cache
from autograder.plan import MANIFEST

DEMO = """import os
from torch._dynamo.utils import counters


def gelu(x):
    return 0.5 * x * (1.0 + torch.tanh(0.7978845608 * (x + 0.044715 * x * x * x)))


torch.testing.assert_close(torch.compile(gelu)(torch.linspace(-3, 3, 64)), gelu(torch.linspace(-3, 3, 64)))
print("demo hits", counters["inductor"]["fxgraph_cache_hit"], "misses", counters["inductor"]["fxgraph_cache_miss"])
"""
#: a student cell: compiles a function of its own, then writes into its kernel's cache
OWN = """import os
from torch._dynamo.utils import counters


def cube(x):
    return x * x * x + 1


torch.testing.assert_close(torch.compile(cube)(torch.ones(8)), torch.full((8,), 2.0))
print("own misses", counters["inductor"]["fxgraph_cache_miss"])
folder = os.environ["TORCHINDUCTOR_CACHE_DIR"]
for root, _, files in os.walk(folder):
    for name in files:
        with open(os.path.join(root, name), "a") as fh:
            fh.write("poison")
open(os.path.join(folder, "planted"), "w").write("poison")
print("poisoned", folder)
"""


def compiling_source(folder: Path) -> Path:
    nb = source()
    at = next(i for i, c in enumerate(nb.cells) if c.get("id") == "demo")
    nb.cells.insert(at + 1, nbformat.v4.new_code_cell(DEMO, id="compile-demo"))
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / "01_square.ipynb")
    return folder


def printed(out: Path, student: str, pattern: str) -> list[str]:
    path = next((out / "autograded" / student).rglob("01_square.ipynb"))
    nb = nbformat.read(path, as_version=4)
    text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    return re.findall(pattern, text)


def cache_folders(cache: Path) -> list[Path]:
    root = cache / "compile"
    return sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("compile-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CS231N_AUTOGRADER_CACHE", str(root / "cache"))
        src = compiling_source(root / "source")
        nb = nbformat.read(src / "01_square.ipynb", as_version=4)
        subs = root / "subs"
        put(subs, "alice", "01_square", nb)
        mallory = with_solution(nb, "double", "def double(x):\n    return 2 * x\n")
        mallory.cells.append(nbformat.v4.new_code_cell(OWN))
        put(subs, "mallory", "01_square", mallory)
        first = grade(subs, root / "out1", source_dir=src, timeout=240, cell_timeout=120)
        folders = cache_folders(root / "cache")
        built = {p: p.stat().st_mtime_ns for p in folders}
        intact_after = [compile_cache.intact(p) for p in folders]
        put(root / "subs2", "bob", "01_square", nb)
        second = grade(root / "subs2", root / "out2", source_dir=src, timeout=240, cell_timeout=120)
        rebuilt_untouched = {p: p.stat().st_mtime_ns for p in cache_folders(root / "cache")}
        # an altered cache is not used: it is built again
        victim = next(p for p in folders[0].rglob("*") if p.is_file() and p.name != MANIFEST)
        victim.write_bytes(victim.read_bytes() + b"altered")
        third = grade(root / "subs2", root / "out3", source_dir=src, timeout=240, cell_timeout=120)
        yield {
            "root": root,
            "first": first,
            "second": second,
            "third": third,
            "folders": folders,
            "built": built,
            "intact_after": intact_after,
            "untouched": rebuilt_untouched,
            "final": cache_folders(root / "cache"),
        }


@pytest.mark.slow
def test_cache_built_once_from_the_source(runs):
    assert len(runs["folders"]) == 1, runs["folders"]
    folder = runs["folders"][0]
    assert folder.name.startswith("01_square-")
    assert (folder / MANIFEST).is_file()
    assert any(p.suffix == ".so" for p in folder.rglob("*")), "no compiled code in the cache"
    assert runs["untouched"] == runs["built"], "the second run built the cache again"


@pytest.mark.slow
def test_graded_kernels_hit_the_cache(runs):
    for run, student in (("first", "alice"), ("second", "bob"), ("third", "bob")):
        res = runs[run][(student, "01_square")]
        assert (res.status, res.score) == ("graded", 3), (run, res.status, res.detail)
        out = runs["root"] / {"first": "out1", "second": "out2", "third": "out3"}[run]
        assert printed(out, student, r"demo hits (\d+) misses (\d+)") == [("1", "0")], run


@pytest.mark.slow
def test_a_submission_cannot_reach_the_shared_cache(runs):
    res = runs["first"][("mallory", "01_square")]
    assert (res.status, res.score) == ("graded", 3), res.detail
    out = runs["root"] / "out1"
    # its own function is compiled from scratch (the cache holds only the source's)
    assert [int(n) >= 1 for n in printed(out, "mallory", r"own misses (\d+)")] == [True]
    poisoned = printed(out, "mallory", r"poisoned (\S+)")
    assert poisoned and "/compile/" not in poisoned[0], poisoned
    assert runs["intact_after"] == [True], "a submission changed the shared cache"
    # bob, graded after mallory, still finds the cache as it was built
    assert printed(runs["root"] / "out2", "bob", r"demo hits (\d+) misses (\d+)") == [("1", "0")]


@pytest.mark.slow
def test_altered_cache_is_built_again(runs):
    assert len(runs["final"]) == 1
    assert compile_cache.intact(runs["final"][0])
    assert runs["final"][0].stat().st_mtime_ns != runs["built"][runs["folders"][0]]


def test_only_notebooks_that_compile_get_a_cache(tmp_path):
    assert not compile_cache.compiles(Path(__file__).parent / "fixtures/course/01_square.ipynb")
    assert compile_cache.compiles(compiling_source(tmp_path / "src") / "01_square.ipynb")


def test_kernel_env_points_into_the_kernel_home(tmp_path):
    env = compile_cache.kernel_env(tmp_path / "home")
    for name in compile_cache.FOLDERS:
        assert Path(env[name]).is_relative_to(tmp_path / "home")
    assert env["TORCHINDUCTOR_CPP_CACHE_PRECOMPILE_HEADERS"] == "0"


def test_intact_needs_every_file_as_listed(tmp_path):
    from autograder.plan import manifest

    folder = tmp_path / "c"
    (folder / "torchinductor").mkdir(parents=True)
    (folder / "torchinductor" / "a.so").write_bytes(b"code")
    (folder / MANIFEST).write_text(json.dumps(manifest(folder)))
    assert compile_cache.intact(folder)
    (folder / "torchinductor" / "b.py").write_text("extra")
    assert not compile_cache.intact(folder)
    (folder / "torchinductor" / "b.py").unlink()
    (folder / "torchinductor" / "a.so").write_bytes(b"other")
    assert not compile_cache.intact(folder)
