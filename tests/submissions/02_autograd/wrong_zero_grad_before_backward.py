# exercise: train_autograd
# expect: None before the first backward()
import torch


def train_autograd(x, y, w1, w2, learning_rate, num_steps):
    # Mistake: zeroes the gradients at the top of every step, but before the first backward()
    # w1.grad is None: AttributeError.
    losses = []
    for _ in range(num_steps):
        w1.grad.zero_()
        w2.grad.zero_()
        loss = ((x @ w1).clamp(min=0) @ w2 - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w1 -= learning_rate * w1.grad
            w2 -= learning_rate * w2.grad
    return losses
