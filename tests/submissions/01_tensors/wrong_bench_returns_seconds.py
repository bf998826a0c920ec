# exercise: benchmark_matmul
# expect: not seconds
def benchmark_matmul(n, device, dtype=torch.float32):
    # Mistake: returns the seconds per product, not FLOP/s.
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)
    return time_function(lambda: a @ b, device=device, min_run_time=0.05)
