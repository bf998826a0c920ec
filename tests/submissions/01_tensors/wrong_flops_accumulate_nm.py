# exercise: matmul_flops
# expect: per output
def matmul_flops(n, m, p, accumulate=False):
    # Mistake: the accumulation adds one operation per entry of A (n * m), not per output (n * p).
    flops = n * p * (2 * m - 1)
    if accumulate:
        flops += n * m
    return flops
