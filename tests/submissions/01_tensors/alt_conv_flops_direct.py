# exercise: conv2d_flops
import math


def conv2d_flops(n, c_in, h, w, c_out, k, stride=1, padding=0):
    """FLOPs of conv2d counted as its im2col matrix product."""
    # Correct, written differently: per output value, K multiplies and K - 1 adds, without matmul_flops.
    h_out = math.floor((h + 2 * padding - k) / stride) + 1
    w_out = math.floor((w + 2 * padding - k) / stride) + 1
    per_output = c_in * k * k
    return n * c_out * h_out * w_out * (2 * per_output - 1)
