# exercise: benchmark_matmul
from cs231n_tools import timing


def benchmark_matmul(n, device, dtype=torch.float32):
    # Correct, written differently: the popular 2 n^3 count, torch.matmul, the module-qualified timer.
    a, b = (torch.randn(n, n, dtype=dtype).to(device) for _ in range(2))
    seconds = timing.time_function(lambda: torch.matmul(a, b), device=device, min_run_time=0.02)
    return float(2 * n**3) / seconds
