# exercise: train_one_epoch
# expect: Python float
def train_one_epoch(model, loader, loss_fn, optimizer, device):
    """Mistake: adds up loss tensors (keeps every batch's graph alive) and returns a tensor."""
    model.train()
    total, count = 0, 0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        total = total + loss * len(y)
        count += len(y)
    return total / count
