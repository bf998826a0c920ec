# exercise: build_parallel_model
# expect: module 0 should be a ParallelBlock
def build_parallel_model(d_in, hidden, d_out):
    # the Linear layer first instead of last
    return nn.Sequential(
        nn.Linear(d_in, hidden), ParallelBlock(hidden, hidden), ParallelBlock(hidden, d_out)
    )
