# exercise: train_autograd
# expect: still holds its initial values
import torch


def train_autograd(x, y, w1, w2, learning_rate, num_steps):
    # Mistake: w1 = w1 - ... makes new tensors; the caller's w1 and w2 never change.
    losses = []
    for _ in range(num_steps):
        loss = ((x @ w1).clamp(min=0) @ w2 - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w1 = (w1 - learning_rate * w1.grad).requires_grad_()
            w2 = (w2 - learning_rate * w2.grad).requires_grad_()
    return losses
