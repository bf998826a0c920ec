# exercise: Sigmoid
# expect: one node made by Sigmoid
import torch


class Sigmoid(torch.autograd.Function):
    # Mistake: sigmoid is a stable formula but not the custom Function: autograd builds its own graph.
    @staticmethod
    def forward(ctx, x):
        z = torch.exp(-x.abs())
        y = torch.where(x >= 0, 1 / (1 + z), z / (1 + z))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_y):
        (y,) = ctx.saved_tensors
        return grad_y * y * (1 - y)


def sigmoid(x):
    z = torch.exp(-x.abs())
    return torch.where(x >= 0, 1 / (1 + z), z / (1 + z))
