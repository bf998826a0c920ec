# exercise: benchmark_matmul
# expect: cs231n_tools.timing
import time


def benchmark_matmul(n, device, dtype=torch.float32):
    # Mistake: its own perf_counter around one product: no synchronisation, no warm-up (on a GPU it
    # measures the kernel launch only).
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)
    start = time.perf_counter()
    a @ b
    return matmul_flops(n, n, n) / (time.perf_counter() - start)
