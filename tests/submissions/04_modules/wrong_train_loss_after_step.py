# exercise: train
# expect: before the update
def train(model, x, y, loss_fn, optimizer, num_steps):
    # records the loss after the update instead of before it
    losses = []
    for _ in range(num_steps):
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()
        with torch.no_grad():
            losses.append(loss_fn(model(x), y).item())
    return losses
