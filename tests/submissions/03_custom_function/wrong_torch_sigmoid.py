# exercise: Sigmoid
# expect: library
import torch


class Sigmoid(torch.autograd.Function):
    # Mistake: calls the library sigmoid (forbidden).
    @staticmethod
    def forward(ctx, x):
        y = torch.sigmoid(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_y):
        (y,) = ctx.saved_tensors
        return grad_y * y * (1 - y)


def sigmoid(x):
    return Sigmoid.apply(x)
