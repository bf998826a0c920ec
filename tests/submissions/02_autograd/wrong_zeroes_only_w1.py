# exercise: train_autograd
# expect: only w1.grad is zeroed
import torch


def train_autograd(x, y, w1, w2, learning_rate, num_steps):
    # Mistake: zeroes w1.grad every step but forgets w2.grad, so w2's gradients add up.
    losses = []
    for _ in range(num_steps):
        loss = ((x @ w1).clamp(min=0) @ w2 - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w1 -= learning_rate * w1.grad
            w2 -= learning_rate * w2.grad
        w1.grad.zero_()
    return losses
