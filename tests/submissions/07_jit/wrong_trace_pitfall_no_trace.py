# exercise: trace_pitfall
# expect: never called conditional_forward under torch.jit.trace
def trace_pitfall(x_pos, x_neg, w1, w2):
    # right numbers, but nothing was traced
    return x_neg @ w1, conditional_forward(x_neg, w1, w2)
