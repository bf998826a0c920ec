# exercise: Sigmoid
# expect: cancel
import torch


class Sigmoid(torch.autograd.Function):
    # Mistake: 0.5 * (1 + tanh(x / 2)) is exact math but in float16 tanh(-6) rounds to -1, so sigmoid(-12) = 0.
    @staticmethod
    def forward(ctx, x):
        y = 0.5 * (1 + torch.tanh(x / 2))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_y):
        (y,) = ctx.saved_tensors
        return grad_y * y * (1 - y)


def sigmoid(x):
    return Sigmoid.apply(x)
