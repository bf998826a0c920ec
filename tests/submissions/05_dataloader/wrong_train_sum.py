# exercise: train_one_epoch
# expect: sum of the batch losses
def train_one_epoch(model, loader, loss_fn, optimizer, device):
    """Mistake: returns the sum of the batch losses."""
    model.train()
    total = 0.0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss.item()
    return total
