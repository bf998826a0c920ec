# exercise: conv2d_as_matmul
# expect: kernel is not square
def conv2d_as_matmul(x, weight, bias=None, stride=1, padding=0):
    """F.conv2d(x, weight, bias, stride, padding) computed as im2col + a matrix product."""
    # Mistake: assumes a square kernel (k = kW for both sizes).
    n, _, h, w = x.shape
    c_out, _, _, k = weight.shape
    size = (h + 2 * padding - k) // stride + 1, (w + 2 * padding - k) // stride + 1
    patches = F.unfold(x, k, padding=padding, stride=stride)
    out = weight.reshape(c_out, -1) @ patches
    if bias is not None:
        out = out + bias[:, None]
    return out.reshape(n, c_out, *size)
