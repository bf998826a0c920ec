# exercise: conv2d_as_matmul
def conv2d_as_matmul(x, weight, bias=None, stride=1, padding=0):
    """F.conv2d(x, weight, bias, stride, padding) computed as im2col + a matrix product."""
    # Correct, written differently: im2col by hand, one strided slice per kernel position, then torch.matmul.
    n, c_in, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    h_out = (h + 2 * padding - kh) // stride + 1
    w_out = (w + 2 * padding - kw) // stride + 1
    padded = x.new_zeros(n, c_in, h + 2 * padding, w + 2 * padding)
    padded[:, :, padding : padding + h, padding : padding + w] = x
    columns = []
    for i in range(kh):
        for j in range(kw):
            window = padded[
                :,
                :,
                i : i + stride * (h_out - 1) + 1 : stride,
                j : j + stride * (w_out - 1) + 1 : stride,
            ]
            columns.append(window.reshape(n, c_in, 1, h_out * w_out))
    patches = torch.cat(columns, dim=2).reshape(
        n, c_in * kh * kw, h_out * w_out
    )  # (C_in, kH, kW) order
    out = torch.matmul(weight.reshape(c_out, c_in * kh * kw), patches)
    if bias is not None:
        out = out + bias.reshape(-1, 1)
    return out.reshape(n, c_out, h_out, w_out)
