# exercise: train_one_epoch
def train_one_epoch(model, loader, loss_fn, optimizer, device):
    """Alternative: zero_grad after the step, summed loss with reduction done by hand, a tensor accumulator."""
    model.train(True)
    optimizer.zero_grad(set_to_none=True)
    running = torch.zeros((), dtype=torch.float64)
    seen = 0
    for batch in loader:
        inputs, targets = (t.to(device, non_blocking=True) for t in batch)
        batch_loss = loss_fn(model(inputs), targets)
        batch_loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        running += batch_loss.detach().double().cpu() * targets.shape[0]
        seen += targets.shape[0]
    return float(running / seen)
