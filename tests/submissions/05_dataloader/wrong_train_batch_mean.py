# exercise: train_one_epoch
# expect: mean of the batch means
def train_one_epoch(model, loader, loss_fn, optimizer, device):
    """Mistake: the mean of the batch means (the smaller last batch counts as much as a full one)."""
    model.train()
    losses = []
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return sum(losses) / len(losses)
