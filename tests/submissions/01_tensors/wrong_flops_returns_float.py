# exercise: matmul_flops
# expect: Python int
def matmul_flops(n, m, p, accumulate=False):
    # Mistake: a float, not an int.
    return n * p * (2.0 * m - (0 if accumulate else 1))
