# exercise: train_manual
# expect: new memory
def train_manual(x, y, w1, w2, learning_rate, num_steps):
    # Old-PyTorch habit: assigns w.data = ..., so the same objects now hold new memory (not in place).
    losses = []
    for _ in range(num_steps):
        loss, grad_w1, grad_w2 = two_layer_forward_backward(x, y, w1, w2)
        losses.append(loss.item())
        w1.data = w1 - learning_rate * grad_w1
        w2.data = w2 - learning_rate * grad_w2
    return losses
