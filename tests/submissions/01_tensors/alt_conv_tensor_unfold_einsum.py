# exercise: conv2d_as_matmul
def conv2d_as_matmul(x, weight, bias=None, stride=1, padding=0):
    """F.conv2d(x, weight, bias, stride, padding) computed as im2col + a matrix product."""
    # Correct, written differently: F.pad, Tensor.unfold along H then W, and einsum.
    c_out, _, kh, kw = weight.shape
    xp = F.pad(x, (padding, padding, padding, padding))
    patches = xp.unfold(2, kh, stride).unfold(3, kw, stride)  # (N, C_in, H_out, W_out, kH, kW)
    out = torch.einsum("nchwij,ocij->nohw", patches, weight)
    if bias is not None:
        out = out + bias.view(1, c_out, 1, 1)
    return out
