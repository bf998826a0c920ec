# exercise: trace_pitfall
# expect: traced_out took the x.sum() <= 0 branch
def trace_pitfall(x_pos, x_neg, w1, w2):
    torch.jit.trace(conditional_forward, (x_pos, w1, w2))  # traced, then never used
    # runs the eager function twice instead of the trace
    return conditional_forward(x_neg, w1, w2), conditional_forward(x_neg, w1, w2)
