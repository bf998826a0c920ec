# exercise: Sigmoid
# expect: compute backward from the saved output
import torch


class Sigmoid(torch.autograd.Function):
    # Mistake: saves the input and recomputes the derivative as exp(-x) / (1 + exp(-x))**2: inf / inf = NaN for x << 0.
    @staticmethod
    def forward(ctx, x):
        z = torch.exp(-x.abs())
        ctx.save_for_backward(x)
        return torch.where(x >= 0, 1 / (1 + z), z / (1 + z))

    @staticmethod
    def backward(ctx, grad_y):
        (x,) = ctx.saved_tensors
        e = torch.exp(-x)
        return grad_y * e / (1 + e) ** 2


def sigmoid(x):
    return Sigmoid.apply(x)
