# exercise: Sigmoid
import torch


class Sigmoid(torch.autograd.Function):
    # sigma(x) = exp(-softplus(-x)); softplus is computed stably by the library.
    @staticmethod
    def forward(ctx, x):
        y = torch.exp(-torch.nn.functional.softplus(-x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_y):
        (y,) = ctx.saved_tensors
        return grad_y * y * (1 - y)


def sigmoid(x):
    return Sigmoid.apply(x)
