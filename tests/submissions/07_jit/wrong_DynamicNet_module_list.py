# exercise: DynamicNet
# expect: middle_linear should be an nn.Linear
class DynamicNet(nn.Module):
    """A list of separate middle layers: depth is capped and the weights are not shared."""

    def __init__(self, d_in, hidden, d_out, max_depth=4):
        super().__init__()
        self.input_linear = nn.Linear(d_in, hidden)
        self.middle_layers = nn.ModuleList([nn.Linear(hidden, hidden) for _ in range(max_depth)])
        self.output_linear = nn.Linear(hidden, d_out)

    def forward(self, x, depth):
        h = torch.relu(self.input_linear(x))
        for layer in self.middle_layers[:depth]:
            h = torch.relu(layer(h))
        return self.output_linear(h)
