# exercise: train_manual
# expect: after* that step's update
def train_manual(x, y, w1, w2, learning_rate, num_steps):
    # Classic mistake: records the loss after the step's update instead of before it.
    losses = []
    for _ in range(num_steps):
        _, grad_w1, grad_w2 = two_layer_forward_backward(x, y, w1, w2)
        w1 -= learning_rate * grad_w1
        w2 -= learning_rate * grad_w2
        loss, _, _ = two_layer_forward_backward(x, y, w1, w2)
        losses.append(loss.item())
    return losses
