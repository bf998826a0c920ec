# exercise: train_autograd
# expect: before that step's update
import torch


def train_autograd(x, y, w1, w2, learning_rate, num_steps):
    # Mistake: records the loss after the update instead of the one the step started from.
    losses = []
    for _ in range(num_steps):
        loss = ((x @ w1).clamp(min=0) @ w2 - y).pow(2).sum()
        loss.backward()
        with torch.no_grad():
            w1 -= learning_rate * w1.grad
            w2 -= learning_rate * w2.grad
            w1.grad.zero_()
            w2.grad.zero_()
            losses.append(((x @ w1).clamp(min=0) @ w2 - y).pow(2).sum().item())
    return losses
