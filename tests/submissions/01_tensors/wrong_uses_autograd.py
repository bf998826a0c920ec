# exercise: two_layer_forward_backward
# expect: used autograd
def two_layer_forward_backward(x, y, w1, w2):
    # Forbidden: lets autograd compute the gradients (works under no_grad thanks to enable_grad).
    with torch.enable_grad():
        w1_ = w1.detach().clone().requires_grad_()
        w2_ = w2.detach().clone().requires_grad_()
        loss = ((x @ w1_).clamp(min=0) @ w2_ - y).pow(2).sum()
        loss.backward()
    return loss.detach(), w1_.grad, w2_.grad
