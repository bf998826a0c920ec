# exercise: ConditionalModule
# expect: cannot be exported
class ConditionalModule(nn.Module):
    def __init__(self, w1, w2):
        super().__init__()
        self.w1 = nn.Parameter(w1.detach().clone())
        self.w2 = nn.Parameter(w2.detach().clone())

    def forward(self, x):
        # a Python if: fine eagerly, but torch.export cannot capture it
        if x.sum() > 0:
            return x @ self.w1
        return x @ self.w2
