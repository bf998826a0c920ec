import functools
import random
import types

import numpy as np
import pytest
import torch

from cs231n_tools import timing
from cs231n_tools.seeding import set_seed
from cs231n_tools.timing import Stopwatch, synchronize, time_function


def test_set_seed_makes_every_generator_repeat():
    def draw():
        gen = set_seed(123)
        return random.random(), np.random.rand(), torch.rand(3), torch.rand(2, generator=gen)

    a, b = draw(), draw()
    assert a[0] == b[0] and a[1] == b[1]
    assert torch.equal(a[2], b[2]) and torch.equal(a[3], b[3])
    set_seed(124)
    assert not torch.equal(torch.rand(3), a[2])


class FakeClock:
    """A clock that moves only when the timed code says so: the tests check what the helpers
    compute from the clock, not how fast this shared machine happens to be (that is
    benchmarks/'s job)."""

    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def test_time_function_reports_seconds_per_call(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(timing.tbench, "Timer", functools.partial(timing.tbench.Timer, timer=clock))
    calls = []

    def work():
        calls.append(1)
        clock.advance(0.01)

    seconds = time_function(work, min_run_time=0.05)
    assert len(calls) >= 5, "time_function should repeat the call until min_run_time has passed"
    assert seconds == pytest.approx(0.01), (
        "time_function must report seconds per call, not the total"
    )


def test_time_function_rejects_bad_arguments():
    with pytest.raises(TypeError, match="callable"):
        time_function(42)
    with pytest.raises(ValueError, match="positive"):
        time_function(lambda: None, min_run_time=0)


def test_stopwatch_and_synchronize_on_cpu(monkeypatch):
    synchronize("cpu")
    synchronize(None)
    clock = FakeClock()
    monkeypatch.setattr(timing, "time", types.SimpleNamespace(perf_counter=clock))
    with Stopwatch("cpu") as sw:
        clock.advance(0.25)
    assert sw.seconds == pytest.approx(0.25)


@pytest.mark.gpu
def test_time_function_synchronises_cuda():
    a = torch.randn(2048, 2048, device="cuda")
    seconds = time_function(lambda: a @ a, device="cuda", min_run_time=0.1)
    # An unsynchronised timer would report only the launch (microseconds).
    assert seconds > 2 * 2048**3 / 1e15
