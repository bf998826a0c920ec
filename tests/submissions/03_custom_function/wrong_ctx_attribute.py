# exercise: Sigmoid
# expect: save_for_backward
import torch


class Sigmoid(torch.autograd.Function):
    # Mistake: keeps the output as a ctx attribute instead of ctx.save_for_backward(y), so autograd
    # neither checks it for in-place changes nor frees it with the graph.
    @staticmethod
    def forward(ctx, x):
        z = torch.exp(-x.abs())
        y = torch.where(x >= 0, 1 / (1 + z), z / (1 + z))
        ctx.y = y
        return y

    @staticmethod
    def backward(ctx, grad_y):
        return grad_y * ctx.y * (1 - ctx.y)


def sigmoid(x):
    return Sigmoid.apply(x)
