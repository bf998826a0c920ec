# exercise: numeric_gradient
# expect: original values
import torch


def numeric_gradient(f, x, h=1e-6):
    # Mistake: perturbs x in place and never puts the values back.
    grad = torch.zeros_like(x, dtype=torch.float64)
    flat, flat_grad = x.view(-1), grad.view(-1)
    for i in range(flat.numel()):
        flat[i] += h
        f_plus = float(f(x))
        flat[i] -= 2 * h
        f_minus = float(f(x))
        flat_grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
