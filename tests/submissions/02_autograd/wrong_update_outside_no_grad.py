# exercise: train_autograd
# expect: still holds its initial values
import torch


def train_autograd(x, y, w1, w2, learning_rate, num_steps):
    # Mistake: the update is recorded in the graph, so w1 and w2 become non-leaf tensors.
    losses = []
    for _ in range(num_steps):
        loss = ((x @ w1).clamp(min=0) @ w2 - y).pow(2).sum()
        losses.append(loss.item())
        grad_w1, grad_w2 = torch.autograd.grad(loss, [w1, w2])
        w1 = w1 - learning_rate * grad_w1
        w2 = w2 - learning_rate * grad_w2
    return losses
