# exercise: train_manual
def train_manual(x, y, w1, w2, learning_rate, num_steps):
    # Correct, written differently: compute the new weights, then copy_ them into the same tensors.
    losses = [0.0] * num_steps
    for step in range(num_steps):
        loss, g1, g2 = two_layer_forward_backward(x, y, w1, w2)
        losses[step] = loss.item()
        new_w1, new_w2 = w1 - learning_rate * g1, w2 - learning_rate * g2
        w1.copy_(new_w1)
        w2.copy_(new_w2)
    return losses
