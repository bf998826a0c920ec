# exercise: two_layer_forward_backward
# expect: factor of 2
def two_layer_forward_backward(x, y, w1, w2):
    # Classic mistake: forgets the 2 of d/dy_pred (y_pred - y) ** 2.
    h = x @ w1
    h_relu = h.clamp(min=0)
    y_pred = h_relu @ w2
    loss = ((y_pred - y) ** 2).sum()
    grad_y_pred = y_pred - y
    grad_w2 = h_relu.T @ grad_y_pred
    grad_h = grad_y_pred @ w2.T
    grad_h[h < 0] = 0
    grad_w1 = x.T @ grad_h
    return loss, grad_w1, grad_w2
