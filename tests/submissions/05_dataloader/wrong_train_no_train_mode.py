# exercise: train_one_epoch
# expect: model.train()
def train_one_epoch(model, loader, loss_fn, optimizer, device):
    """Mistake: trusts the model to be in training mode already."""
    total, count = 0.0, 0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(y)
        count += len(y)
    return total / count
