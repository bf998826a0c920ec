# exercise: build_sequential
# expect: expected exactly 3 modules
def build_sequential(d_in, hidden, d_out):
    # forgot the non-linearity: two Linear layers collapse into one linear map
    return nn.Sequential(nn.Linear(d_in, hidden), nn.Linear(hidden, d_out))
