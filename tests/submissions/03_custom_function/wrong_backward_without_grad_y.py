# exercise: Sigmoid
# expect: ignores grad_y
import torch


class Sigmoid(torch.autograd.Function):
    # Mistake: returns the local gradient only, forgetting the upstream gradient grad_y.
    @staticmethod
    def forward(ctx, x):
        z = torch.exp(-x.abs())
        y = torch.where(x >= 0, 1 / (1 + z), z / (1 + z))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_y):
        (y,) = ctx.saved_tensors
        return y * (1 - y)


def sigmoid(x):
    return Sigmoid.apply(x)
