# exercise: DynamicNet
# expect: 1 times instead of depth=0
class DynamicNet(nn.Module):
    def __init__(self, d_in, hidden, d_out):
        super().__init__()
        self.input_linear = nn.Linear(d_in, hidden)
        self.middle_linear = nn.Linear(hidden, hidden)
        self.output_linear = nn.Linear(hidden, d_out)

    def forward(self, x, depth):
        h = torch.relu(self.input_linear(x))
        for _ in range(depth + 1):  # off by one: depth=0 still applies the middle layer
            h = torch.relu(self.middle_linear(h))
        return self.output_linear(h)
