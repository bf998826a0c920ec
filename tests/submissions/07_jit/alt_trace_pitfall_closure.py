# exercise: trace_pitfall
def trace_pitfall(x_pos, x_neg, w1, w2):
    """Trace a one-argument closure; the weights become constants of the trace."""
    traced = torch.jit.trace(lambda x: conditional_forward(x, w1, w2), (x_pos,), check_trace=False)
    return traced(x_neg), conditional_forward(x_neg, w1, w2)
