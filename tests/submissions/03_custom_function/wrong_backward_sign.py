# exercise: Sigmoid
# expect: wrong sign
import torch


class Sigmoid(torch.autograd.Function):
    # Mistake: wrong sign in the local gradient.
    @staticmethod
    def forward(ctx, x):
        z = torch.exp(-x.abs())
        y = torch.where(x >= 0, 1 / (1 + z), z / (1 + z))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_y):
        (y,) = ctx.saved_tensors
        return grad_y * y * (y - 1)


def sigmoid(x):
    return Sigmoid.apply(x)
