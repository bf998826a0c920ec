# exercise: train
# expect: python float
def train(model, x, y, loss_fn, optimizer, num_steps):
    # keeps the loss tensors (and their graphs) instead of Python floats
    losses = []
    for _ in range(num_steps):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        losses.append(loss)
        loss.backward()
        optimizer.step()
    return losses
