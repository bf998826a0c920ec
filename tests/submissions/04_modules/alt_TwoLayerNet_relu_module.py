# exercise: TwoLayerNet
class TwoLayerNet(nn.Module):
    """With an nn.ReLU submodule (no parameters) and F.relu's module twin."""

    def __init__(self, d_in, hidden, d_out):
        super(TwoLayerNet, self).__init__()
        self.linear1 = nn.Linear(d_in, hidden)
        self.relu = nn.ReLU()
        self.linear2 = nn.Linear(hidden, d_out)

    def forward(self, x):
        h_relu = self.relu(self.linear1(x))
        y_pred = self.linear2(h_relu)
        return y_pred
