# exercise: ParallelBlock
# expect: clamped at 6
class ParallelBlock(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.linear1 = nn.Linear(d_in, d_out)
        self.linear2 = nn.Linear(d_in, d_out)

    def forward(self, x):
        # an upper limit too: the same for small products only
        return (self.linear1(x) * self.linear2(x)).clamp(0, 6)
