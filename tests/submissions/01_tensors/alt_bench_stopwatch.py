# exercise: benchmark_matmul
def benchmark_matmul(n, device, dtype=torch.float32):
    # Correct, written differently: Stopwatch around a loop of torch.mm calls, after a warm-up.
    a = torch.rand(n, n, device=device, dtype=dtype)
    b = torch.rand(n, n, device=device, dtype=dtype)
    torch.mm(a, b)
    repeats = 20
    with Stopwatch(device) as watch:
        for _ in range(repeats):
            torch.mm(a, b)
    return repeats * matmul_flops(n, n, n) / watch.seconds
