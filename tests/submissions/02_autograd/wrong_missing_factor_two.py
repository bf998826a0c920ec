# exercise: numeric_gradient
# expect: factor of 2
import torch


def numeric_gradient(f, x, h=1e-6):
    # Mistake: central differences divided by h instead of 2h.
    grad = torch.zeros_like(x, dtype=torch.float64)
    flat, flat_grad = x.view(-1), grad.view(-1)
    for i in range(flat.numel()):
        old = flat[i].item()
        flat[i] = old + h
        f_plus = float(f(x))
        flat[i] = old - h
        f_minus = float(f(x))
        flat[i] = old
        flat_grad[i] = (f_plus - f_minus) / h
    return grad
