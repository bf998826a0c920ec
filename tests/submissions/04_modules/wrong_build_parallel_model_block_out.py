# exercise: build_parallel_model
# expect: module 2 should be an nn.Linear
def build_parallel_model(d_in, hidden, d_out):
    # the output layer is a ParallelBlock too
    return nn.Sequential(
        ParallelBlock(d_in, hidden), ParallelBlock(hidden, hidden), ParallelBlock(hidden, d_out)
    )
