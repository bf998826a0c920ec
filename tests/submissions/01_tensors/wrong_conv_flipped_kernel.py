# exercise: conv2d_as_matmul
# expect: kernel is flipped
def conv2d_as_matmul(x, weight, bias=None, stride=1, padding=0):
    """F.conv2d(x, weight, bias, stride, padding) computed as im2col + a matrix product."""
    # Textbook mistake: flips the kernel (a true convolution); deep learning's conv2d does not.
    n, _, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    h_out = (h + 2 * padding - kh) // stride + 1
    w_out = (w + 2 * padding - kw) // stride + 1
    patches = F.unfold(x, (kh, kw), padding=padding, stride=stride)
    out = weight.flip(-2, -1).reshape(c_out, -1) @ patches
    if bias is not None:
        out = out + bias[:, None]
    return out.reshape(n, c_out, h_out, w_out)
