# exercise: conv2d_flops
# expect: batch is missing
def conv2d_flops(n, c_in, h, w, c_out, k, stride=1, padding=0):
    """FLOPs of conv2d counted as its im2col matrix product."""
    # Mistake: counts one image.
    h_out = (h + 2 * padding - k) // stride + 1
    w_out = (w + 2 * padding - k) // stride + 1
    return matmul_flops(h_out * w_out, c_in * k * k, c_out)
