# exercise: MLP
# expect: exactly
class MLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        # the ReLUs inside the ModuleList: it should hold only the Linear layers
        layers = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            layers += [nn.Linear(a, b), nn.ReLU()]
        self.layers = nn.ModuleList(layers[:-1])

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x
