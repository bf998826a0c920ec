# exercise: trace_pitfall
# expect: trace conditional_forward on the example
def trace_pitfall(x_pos, x_neg, w1, w2):
    traced = torch.jit.trace(conditional_forward, (x_neg, w1, w2))  # traced on the wrong example
    return traced(x_neg, w1, w2), conditional_forward(x_neg, w1, w2)
