# exercise: build_parallel_model
def build_parallel_model(d_in, hidden, d_out):
    """Built up with append, sizes from a list."""
    sizes = [d_in, hidden, hidden]
    model = nn.Sequential()
    for a, b in zip(sizes[:-1], sizes[1:], strict=True):
        model.append(ParallelBlock(a, b))
    model.append(nn.Linear(hidden, d_out))
    return model
