# exercise: Sigmoid
import torch


class Sigmoid(torch.autograd.Function):
    # Two branches filled in with boolean masks.
    @staticmethod
    def forward(ctx, x):
        y = torch.empty_like(x)
        pos = x >= 0
        y[pos] = 1.0 / (1.0 + torch.exp(-x[pos]))
        e = torch.exp(x[~pos])
        y[~pos] = e / (1.0 + e)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_y):
        y = ctx.saved_tensors[0]
        return grad_y.mul(y).mul(1 - y)


def sigmoid(x):
    return Sigmoid.apply(x)
