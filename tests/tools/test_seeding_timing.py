import random
import time

import numpy as np
import pytest
import torch

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


def test_time_function_measures_seconds_per_call():
    seconds = time_function(lambda: time.sleep(0.01), min_run_time=0.05)
    assert 0.009 < seconds < 0.05


def test_time_function_rejects_bad_arguments():
    with pytest.raises(TypeError, match="callable"):
        time_function(42)
    with pytest.raises(ValueError, match="positive"):
        time_function(lambda: None, min_run_time=0)


def test_stopwatch_and_synchronize_on_cpu():
    synchronize("cpu")
    synchronize(None)
    with Stopwatch("cpu") as sw:
        time.sleep(0.01)
    assert 0.009 < sw.seconds < 0.5


@pytest.mark.gpu
def test_time_function_synchronises_cuda():
    a = torch.randn(2048, 2048, device="cuda")
    seconds = time_function(lambda: a @ a, device="cuda", min_run_time=0.1)
    # An unsynchronised timer would report only the launch (microseconds).
    assert seconds > 2 * 2048**3 / 1e15
