# exercise: numeric_gradient
import torch


def numeric_gradient(f, x, h=1e-6):
    # Never touches x: evaluates f at perturbed copies, with a one-hot direction.
    grad = torch.empty(x.numel(), dtype=torch.float64)
    base = x.detach().clone()
    for i in range(x.numel()):
        e = torch.zeros(x.numel(), dtype=x.dtype, device=x.device)
        e[i] = h
        e = e.reshape(x.shape)
        fp = f(base + e)
        fm = f(base - e)
        fp = fp.item() if torch.is_tensor(fp) else fp
        fm = fm.item() if torch.is_tensor(fm) else fm
        grad[i] = (fp - fm) / (2 * h)
    return grad.reshape(x.shape).to(x.device)
