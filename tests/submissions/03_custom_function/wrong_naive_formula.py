# exercise: Sigmoid
# expect: overflows
import torch


class Sigmoid(torch.autograd.Function):
    # Mistake: 1 / (1 + exp(-x)) overflows: exp(12) is inf in float16, so sigmoid(-12) = 0.
    @staticmethod
    def forward(ctx, x):
        y = 1 / (1 + torch.exp(-x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_y):
        (y,) = ctx.saved_tensors
        return grad_y * y * (1 - y)


def sigmoid(x):
    return Sigmoid.apply(x)
