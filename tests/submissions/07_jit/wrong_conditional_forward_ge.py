# exercise: conditional_forward
# expect: x.sum() == 0 must use w2
def conditional_forward(x, w1, w2):
    return x @ w1 if x.sum() >= 0 else x @ w2  # >= sends x.sum() == 0 to w1
