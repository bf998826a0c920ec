# exercise: MLP
# expect: after the last layer
class MLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])])

    def forward(self, x):
        # a ReLU after every layer, the output layer included
        for layer in self.layers:
            x = torch.relu(layer(x))
        return x
