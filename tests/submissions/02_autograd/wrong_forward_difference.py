# exercise: numeric_gradient
# expect: one-sided
import torch


def numeric_gradient(f, x, h=1e-6):
    # Mistake: one-sided (forward) differences, error O(h) instead of O(h**2).
    grad = torch.zeros_like(x, dtype=torch.float64)
    flat, flat_grad = x.view(-1), grad.view(-1)
    f0 = float(f(x))
    for i in range(flat.numel()):
        old = flat[i].item()
        flat[i] = old + h
        flat_grad[i] = (float(f(x)) - f0) / h
        flat[i] = old
    return grad
