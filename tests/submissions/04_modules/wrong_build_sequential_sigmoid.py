# exercise: build_sequential
# expect: should be nn.ReLU, got Sigmoid
def build_sequential(d_in, hidden, d_out):
    # the wrong activation
    return nn.Sequential(nn.Linear(d_in, hidden), nn.Sigmoid(), nn.Linear(hidden, d_out))
