# exercise: TinyRNN
# expect: start every sequence from h = 0
class TinyRNN(nn.Module):
    """Initialises h once: each sequence starts from the previous sequence's final state."""

    def __init__(self, d_in, hidden):
        super().__init__()
        self.input_linear = nn.Linear(d_in, hidden)
        self.hidden_linear = nn.Linear(hidden, hidden, bias=False)

    def forward(self, seqs):
        h = seqs[0].new_zeros(self.hidden_linear.in_features)
        finals = []
        for seq in seqs:
            for x_t in seq:
                h = torch.tanh(self.input_linear(x_t) + self.hidden_linear(h))
            finals.append(h)
        return torch.stack(finals)
