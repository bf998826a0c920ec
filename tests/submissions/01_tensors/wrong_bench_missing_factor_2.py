# exercise: benchmark_matmul
# expect: multiply AND an add
def benchmark_matmul(n, device, dtype=torch.float32):
    # Classic mistake: counts n^3 operations (multiplies only).
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)
    seconds = time_function(lambda: a @ b, device=device, min_run_time=0.05)
    return n**3 / seconds
