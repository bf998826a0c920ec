# exercise: MLP
class MLP(nn.Module):
    """Built with append, an nn.ReLU module kept outside layers, indices instead of unpacking."""

    def __init__(self, sizes):
        super().__init__()
        self.layers = nn.ModuleList()
        for i in range(len(sizes) - 1):
            self.layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        self.activation = nn.ReLU()

    def forward(self, x):
        n = len(self.layers)
        for i in range(n):
            x = self.layers[i](x)
            if i != n - 1:
                x = self.activation(x)
        return x
