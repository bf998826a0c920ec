# exercise: ConditionalModule
# expect: must keep a copy
class ConditionalModule(nn.Module):
    def __init__(self, w1, w2):
        super().__init__()
        self.w1 = nn.Parameter(w1)  # shares memory with the caller's tensor
        self.w2 = nn.Parameter(w2)

    def forward(self, x):
        return torch.cond(x.sum() > 0, lambda x: x @ self.w1, lambda x: x @ self.w2, (x,))
