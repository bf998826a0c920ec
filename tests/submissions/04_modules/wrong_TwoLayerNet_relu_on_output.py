# exercise: TwoLayerNet
# expect: ReLU to the output
class TwoLayerNet(nn.Module):
    def __init__(self, d_in, hidden, d_out):
        super().__init__()
        self.linear1 = nn.Linear(d_in, hidden)
        self.linear2 = nn.Linear(hidden, d_out)

    def forward(self, x):
        return torch.relu(self.linear2(torch.relu(self.linear1(x))))
