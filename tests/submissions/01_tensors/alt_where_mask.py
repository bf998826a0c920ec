# exercise: two_layer_forward_backward
def two_layer_forward_backward(x, y, w1, w2):
    # Correct, written differently: torch.relu, torch.matmul, a torch.where mask on h > 0.
    h = torch.matmul(x, w1)
    a = torch.relu(h)
    residual = torch.matmul(a, w2) - y
    loss = residual.pow(2).sum()
    d_out = residual * 2
    grad_w2 = torch.matmul(a.transpose(0, 1), d_out)
    d_hidden = torch.where(h > 0, torch.matmul(d_out, w2.transpose(0, 1)), torch.zeros_like(h))
    grad_w1 = torch.matmul(x.transpose(0, 1), d_hidden)
    return loss, grad_w1, grad_w2
