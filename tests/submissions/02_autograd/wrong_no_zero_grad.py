# exercise: train_autograd
# expect: neither w1.grad nor w2.grad is zeroed
import torch


def train_autograd(x, y, w1, w2, learning_rate, num_steps):
    # Mistake: never zeroes the gradients, so each backward() adds onto the last one.
    losses = []
    for _ in range(num_steps):
        loss = ((x @ w1).clamp(min=0) @ w2 - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w1 -= learning_rate * w1.grad
            w2 -= learning_rate * w2.grad
    return losses
