# exercise: numeric_gradient
# expect: use the h you are given
import torch


def numeric_gradient(f, x, h=1e-6):
    # Mistake: central differences, but always with a step of 1e-6 whatever h the caller passes.
    step = 1e-6
    grad = torch.zeros_like(x, dtype=torch.float64)
    flat, flat_grad = x.view(-1), grad.view(-1)
    for i in range(flat.numel()):
        old = flat[i].item()
        flat[i] = old + step
        f_plus = float(f(x))
        flat[i] = old - step
        f_minus = float(f(x))
        flat[i] = old
        flat_grad[i] = (f_plus - f_minus) / (2 * step)
    return grad
