# exercise: numeric_gradient
import numpy as np
import torch


def numeric_gradient(f, x, h=1e-6):
    # CS231n style: np.ndindex over every position, perturb, restore.
    grad = torch.zeros_like(x, dtype=torch.float64)
    for ix in np.ndindex(*x.shape):
        old = float(x[ix])
        x[ix] = old + h
        fxph = f(x)
        x[ix] = old - h
        fxmh = f(x)
        x[ix] = old
        grad[ix] = (float(fxph) - float(fxmh)) / (2 * h)
    return grad
