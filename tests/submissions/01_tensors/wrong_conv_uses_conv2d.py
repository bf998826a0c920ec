# exercise: conv2d_as_matmul
# expect: called a convolution
def conv2d_as_matmul(x, weight, bias=None, stride=1, padding=0):
    """F.conv2d(x, weight, bias, stride, padding) computed as im2col + a matrix product."""
    # Forbidden: lets PyTorch's convolution do the work.
    return F.conv2d(x, weight, bias, stride=stride, padding=padding)
