# exercise: train_one_epoch
# expect: count the examples as the batches come
def train_one_epoch(model, loader, loss_fn, optimizer, device):
    """Mistake: divides by len(loader.dataset), which a list of batches (or a sampler's subset) does not match."""
    model.train()
    total = 0.0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss.item() * x.shape[0]
    return total / len(loader.dataset)
