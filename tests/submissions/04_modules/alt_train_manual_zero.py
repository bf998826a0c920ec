# exercise: train
def train(model, x, y, loss_fn, optimizer, num_steps):
    """Gradients cleared through the model, the float read after the step (the value is the same)."""
    losses = []
    step = 0
    while step < num_steps:
        for p in model.parameters():
            p.grad = None
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(float(loss))
        step += 1
    return losses
