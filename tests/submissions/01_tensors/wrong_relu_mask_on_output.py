# exercise: two_layer_forward_backward
# expect: both gradients are wrong
def two_layer_forward_backward(x, y, w1, w2):
    # Classic mistake: applies the ReLU mask to the output gradient instead of the hidden layer's.
    h = x @ w1
    h_relu = h.clamp(min=0)
    y_pred = h_relu @ w2
    loss = ((y_pred - y) ** 2).sum()
    grad_y_pred = 2.0 * (y_pred - y)
    grad_y_pred[y_pred < 0] = 0
    grad_w2 = h_relu.T @ grad_y_pred
    grad_h = grad_y_pred @ w2.T
    grad_w1 = x.T @ grad_h
    return loss, grad_w1, grad_w2
