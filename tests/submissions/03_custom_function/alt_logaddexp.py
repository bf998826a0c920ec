# exercise: Sigmoid
import torch


class Sigmoid(torch.autograd.Function):
    # sigma(x) = exp(-log(1 + exp(-x))) = exp(-logaddexp(0, -x)): logaddexp is stable.
    @staticmethod
    def forward(ctx, x):
        y = torch.exp(-torch.logaddexp(torch.zeros_like(x), -x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_y):
        (y,) = ctx.saved_tensors
        return grad_y * (y - y * y)


def sigmoid(x):
    return Sigmoid.apply(x)
