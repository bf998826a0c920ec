# exercise: benchmark_matmul
# expect: creates the matrices
def benchmark_matmul(n, device, dtype=torch.float32):
    # Mistake: the timed function also creates the two random matrices.
    def make_and_multiply():
        a = torch.randn(n, n, device=device, dtype=dtype)
        b = torch.randn(n, n, device=device, dtype=dtype)
        return a @ b

    seconds = time_function(make_and_multiply, device=device, min_run_time=0.05)
    return matmul_flops(n, n, n) / seconds
