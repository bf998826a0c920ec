# exercise: train_manual
# expect: update them in place
def train_manual(x, y, w1, w2, learning_rate, num_steps):
    # Classic mistake: rebinds the local names; the caller's w1, w2 are never trained.
    losses = []
    for _ in range(num_steps):
        loss, grad_w1, grad_w2 = two_layer_forward_backward(x, y, w1, w2)
        losses.append(loss.item())
        w1 = w1 - learning_rate * grad_w1
        w2 = w2 - learning_rate * grad_w2
    return losses
