# exercise: build_parallel_model
# expect: separate blocks
def build_parallel_model(d_in, hidden, d_out):
    # the "same" block twice: one set of weights used by both positions
    first = ParallelBlock(d_in, hidden)
    block = ParallelBlock(hidden, hidden) if d_in != hidden else first
    return nn.Sequential(first, block, nn.Linear(hidden, d_out))
