# exercise: Sigmoid
# expect: cancel
import torch


class Sigmoid(torch.autograd.Function):
    # Mistake: sigma(x) = 1 - sigma(-x) for x < 0 never overflows, but 1 - 1 / (1 + z) cancels:
    # in float16 1 + 6.1e-6 rounds to 1, so sigmoid(-12) = 0.
    @staticmethod
    def forward(ctx, x):
        z = torch.exp(-x.abs())
        y = torch.where(x >= 0, 1 / (1 + z), 1 - 1 / (1 + z))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_y):
        (y,) = ctx.saved_tensors
        return grad_y * y * (1 - y)


def sigmoid(x):
    return Sigmoid.apply(x)
