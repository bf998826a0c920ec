# exercise: DynamicNet
# expect: without a relu after middle_linear
class DynamicNet(nn.Module):
    def __init__(self, d_in, hidden, d_out):
        super().__init__()
        self.input_linear = nn.Linear(d_in, hidden)
        self.middle_linear = nn.Linear(hidden, hidden)
        self.output_linear = nn.Linear(hidden, d_out)

    def forward(self, x, depth):
        h = torch.relu(self.input_linear(x))
        for _ in range(depth):
            h = self.middle_linear(h)  # relu forgotten in the loop
        return self.output_linear(h)
