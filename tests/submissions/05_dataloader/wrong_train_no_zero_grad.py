# exercise: train_one_epoch
# expect: zero_grad
def train_one_epoch(model, loader, loss_fn, optimizer, device):
    """Mistake: never zeroes the gradients, so every step uses the sum of all gradients so far."""
    model.train()
    total, count = 0.0, 0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(y)
        count += len(y)
    return total / count
