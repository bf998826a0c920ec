# exercise: evaluate
# expect: restore its mode
def evaluate(model, loader, device):
    """Mistake: always switches back to training mode, even for a model that was in eval mode."""
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            correct += (model(x).argmax(1) == y).sum().item()
            total += len(y)
    model.train()
    return correct / total
