# exercise: conv2d_as_matmul
# expect: bias is missing
def conv2d_as_matmul(x, weight, bias=None, stride=1, padding=0):
    """F.conv2d(x, weight, bias, stride, padding) computed as im2col + a matrix product."""
    # Mistake: forgets the bias.
    n, _, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    h_out = (h + 2 * padding - kh) // stride + 1
    w_out = (w + 2 * padding - kw) // stride + 1
    patches = F.unfold(x, (kh, kw), padding=padding, stride=stride)
    return (weight.reshape(c_out, -1) @ patches).reshape(n, c_out, h_out, w_out)
