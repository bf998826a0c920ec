# exercise: matmul_flops
# expect: m - 1 additions
def matmul_flops(n, m, p, accumulate=False):
    # Classic shortcut: 2 n m p counts m additions per output instead of m - 1.
    flops = 2 * n * m * p
    if accumulate:
        flops += n * p
    return flops
