# exercise: train_manual
def train_manual(x, y, w1, w2, learning_rate, num_steps):
    # Correct, written differently: a while loop, float(), sub_ and add_(alpha=...).
    history = []
    step = 0
    while step < num_steps:
        loss, g1, g2 = two_layer_forward_backward(x, y, w1, w2)
        history.append(float(loss))
        with torch.no_grad():
            w1.sub_(learning_rate * g1)
            w2.add_(g2, alpha=-learning_rate)
        step += 1
    return history
