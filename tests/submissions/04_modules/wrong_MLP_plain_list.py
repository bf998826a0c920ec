# exercise: MLP
# expect: plain Python list
class MLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        # a plain list: nn.Module never sees these layers
        self.layers = [nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])]

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = torch.relu(layer(x))
        return self.layers[-1](x)
