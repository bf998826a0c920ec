# exercise: build_sequential
# expect: should have a bias
def build_sequential(d_in, hidden, d_out):
    # copied relu(x @ w1) @ w2 from 01 literally: no biases
    return nn.Sequential(
        nn.Linear(d_in, hidden, bias=False), nn.ReLU(), nn.Linear(hidden, d_out, bias=False)
    )
