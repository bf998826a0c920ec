# exercise: conditional_forward
def conditional_forward(x, w1, w2):
    """No Python if: both products, one picked by torch.where (a trace of this keeps both branches)."""
    return torch.where(x.sum() > 0, x @ w1, x @ w2)
