# exercise: matmul_flops
def matmul_flops(n, m, p, accumulate=False):
    # Correct, written differently: count output by output.
    total = 0
    for _row in range(n):
        for _col in range(p):
            total += m  # multiplications
            total += m - 1  # additions between the products
            if accumulate:
                total += 1  # + C[i, j]
    return total
