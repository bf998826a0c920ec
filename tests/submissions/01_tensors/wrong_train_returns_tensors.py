# exercise: train_manual
# expect: Python floats
def train_manual(x, y, w1, w2, learning_rate, num_steps):
    # Mistake: returns 0-d tensors instead of Python floats.
    losses = []
    for _ in range(num_steps):
        loss, grad_w1, grad_w2 = two_layer_forward_backward(x, y, w1, w2)
        losses.append(loss)
        w1 -= learning_rate * grad_w1
        w2 -= learning_rate * grad_w2
    return losses
