# exercise: ConditionalModule
class ConditionalModule(nn.Module):
    """Weights passed to the branches as operands; register_parameter; methods as branches."""

    def __init__(self, w1, w2):
        super().__init__()
        self.register_parameter("w1", nn.Parameter(torch.clone(w1).detach()))
        self.register_parameter("w2", nn.Parameter(torch.empty_like(w2).copy_(w2)))

    @staticmethod
    def _first(x, a, b):
        return torch.matmul(x, a)

    @staticmethod
    def _second(x, a, b):
        return torch.matmul(x, b)

    def forward(self, x):
        return torch.cond(torch.sum(x) > 0, self._first, self._second, (x, self.w1, self.w2))
