# exercise: matmul_flops
def matmul_flops(n, m, p, accumulate=False):
    # Correct, written differently: 2 n m p fused multiply-adds minus the first add when nothing accumulates.
    return 2 * n * m * p - (0 if accumulate else n * p)
