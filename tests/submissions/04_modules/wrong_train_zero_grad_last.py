# exercise: train
# expect: zero_grad() at the start
def train(model, x, y, loss_fn, optimizer, num_steps):
    # the slide's order: zero_grad at the end, so gradients left from before the call are used
    losses = []
    for _ in range(num_steps):
        loss = loss_fn(model(x), y)
        losses.append(loss.item())
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    return losses
