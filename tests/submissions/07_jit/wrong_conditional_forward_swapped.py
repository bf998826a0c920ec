# exercise: conditional_forward
# expect: x.sum() > 0 must use w1
def conditional_forward(x, w1, w2):
    return x @ w2 if x.sum() > 0 else x @ w1  # branches swapped
