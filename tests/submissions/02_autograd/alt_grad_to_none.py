# exercise: train_autograd
import torch


def train_autograd(x, y, w1, w2, learning_rate, num_steps):
    # Gradients set to None (what optimizer.zero_grad() does), relu and square spelled differently.
    losses = []
    params = [w1, w2]
    for _ in range(num_steps):
        for p in params:
            p.grad = None
        out = torch.relu(torch.matmul(x, w1)) @ w2
        loss = torch.sum((out - y) * (out - y))
        losses.append(loss.detach().cpu().item())
        loss.backward()
        with torch.no_grad():
            for p in params:
                p.add_(p.grad, alpha=-learning_rate)
    return losses
