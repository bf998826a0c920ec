# exercise: train_manual
# expect: one loss per step
def train_manual(x, y, w1, w2, learning_rate, num_steps):
    # Classic mistake: one update too many (and one loss too many).
    losses = []
    for _ in range(num_steps + 1):
        loss, grad_w1, grad_w2 = two_layer_forward_backward(x, y, w1, w2)
        losses.append(loss.item())
        w1 -= learning_rate * grad_w1
        w2 -= learning_rate * grad_w2
    return losses
