# exercise: train
# expect: only some gradients are cleared
def train(model, x, y, loss_fn, optimizer, num_steps):
    # clears the .grad of the first parameter only; the others keep accumulating
    losses = []
    for _ in range(num_steps):
        next(model.parameters()).grad = None
        loss = loss_fn(model(x), y)
        losses.append(loss.item())
        loss.backward()
        optimizer.step()
    return losses
