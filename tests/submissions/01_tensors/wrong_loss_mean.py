# exercise: two_layer_forward_backward
# expect: not a mean
def two_layer_forward_backward(x, y, w1, w2):
    # Classic mistake: a mean-squared error (and its gradients) where the lecture's loss is a sum.
    h = x @ w1
    h_relu = h.clamp(min=0)
    y_pred = h_relu @ w2
    diff = y_pred - y
    loss = (diff**2).mean()
    grad_y_pred = 2.0 * diff / diff.numel()
    grad_w2 = h_relu.T @ grad_y_pred
    grad_h = grad_y_pred @ w2.T
    grad_h[h < 0] = 0
    grad_w1 = x.T @ grad_h
    return loss, grad_w1, grad_w2
