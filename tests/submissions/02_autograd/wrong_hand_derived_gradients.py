# exercise: train_autograd
# expect: loss.backward()
import torch


def train_autograd(x, y, w1, w2, learning_rate, num_steps):
    # Mistake: right numbers, but the gradients are derived by hand: the exercise is autograd.
    losses = []
    with torch.no_grad():
        for _ in range(num_steps):
            h = x @ w1
            h_relu = h.clamp(min=0)
            y_pred = h_relu @ w2
            losses.append(((y_pred - y) ** 2).sum().item())
            grad_y_pred = 2.0 * (y_pred - y)
            grad_w2 = h_relu.t() @ grad_y_pred
            grad_w1 = x.t() @ ((grad_y_pred @ w2.t()) * (h > 0))
            w1 -= learning_rate * grad_w1
            w2 -= learning_rate * grad_w2
    return losses
