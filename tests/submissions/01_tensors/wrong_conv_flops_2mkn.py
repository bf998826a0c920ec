# exercise: conv2d_flops
# expect: K - 1 adds
def conv2d_flops(n, c_in, h, w, c_out, k, stride=1, padding=0):
    """FLOPs of conv2d counted as its im2col matrix product."""
    # Classic shortcut: 2 x outputs x K, one add too many per output.
    h_out = (h + 2 * padding - k) // stride + 1
    w_out = (w + 2 * padding - k) // stride + 1
    return 2 * n * h_out * w_out * c_in * k * k * c_out
