# exercise: two_layer_forward_backward
# expect: check the ReLU's gradient
def two_layer_forward_backward(x, y, w1, w2):
    # Classic mistake: the gradient flows through the ReLU everywhere (no mask).
    h = x @ w1
    h_relu = h.clamp(min=0)
    y_pred = h_relu @ w2
    loss = ((y_pred - y) ** 2).sum()
    grad_y_pred = 2.0 * (y_pred - y)
    grad_w2 = h_relu.T @ grad_y_pred
    grad_h = grad_y_pred @ w2.T
    grad_w1 = x.T @ grad_h
    return loss, grad_w1, grad_w2
