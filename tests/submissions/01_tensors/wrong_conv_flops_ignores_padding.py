# exercise: conv2d_flops
# expect: padding is ignored
def conv2d_flops(n, c_in, h, w, c_out, k, stride=1, padding=0):
    """FLOPs of conv2d counted as its im2col matrix product."""
    # Mistake: the output size without the padding.
    h_out = (h - k) // stride + 1
    w_out = (w - k) // stride + 1
    return matmul_flops(n * h_out * w_out, c_in * k * k, c_out)
