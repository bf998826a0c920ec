# exercise: Sigmoid
import torch


class Sigmoid(torch.autograd.Function):
    # Both branches are computed everywhere (inf and NaN where unused), torch.where keeps the safe one.
    @staticmethod
    def forward(ctx, x):
        y = torch.where(x >= 0, 1 / (1 + torch.exp(-x)), torch.exp(x) / (1 + torch.exp(x)))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_y):
        (y,) = ctx.saved_tensors
        return grad_y * y * (1 - y)


def sigmoid(x):
    return Sigmoid.apply(x)
