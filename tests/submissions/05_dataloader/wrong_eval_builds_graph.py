# exercise: evaluate
# expect: torch.no_grad()
def evaluate(model, loader, device):
    """Mistake: no torch.no_grad(), so every forward pass records a graph."""
    was_training = model.training
    model.eval()
    correct = total = 0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        correct += (model(x).argmax(1) == y).sum().item()
        total += len(y)
    model.train(was_training)
    return correct / total
