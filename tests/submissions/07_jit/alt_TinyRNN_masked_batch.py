# exercise: TinyRNN
class TinyRNN(nn.Module):
    """All sequences in one padded batch, stepped together; a mask freezes each state after its end.

    The input projection is done for every step at once; F.linear on the parameters."""

    def __init__(self, d_in, hidden):
        super().__init__()
        self.input_linear = nn.Linear(d_in, hidden)
        self.hidden_linear = nn.Linear(hidden, hidden, bias=False)

    def forward(self, seqs):
        lengths = torch.tensor([s.shape[0] for s in seqs])
        batch = nn.utils.rnn.pad_sequence(list(seqs), batch_first=True)  # (B, T_max, d_in)
        projected = self.input_linear(batch)  # (B, T_max, hidden)
        h = projected.new_zeros(len(seqs), self.hidden_linear.weight.shape[0])
        for t in range(batch.shape[1]):
            candidate = torch.tanh(projected[:, t] + F.linear(h, self.hidden_linear.weight))
            running = (t < lengths).unsqueeze(1).to(batch.device)
            h = torch.where(running, candidate, h)
        return h
