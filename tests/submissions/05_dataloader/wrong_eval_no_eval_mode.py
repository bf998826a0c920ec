# exercise: evaluate
# expect: model.eval()
def evaluate(model, loader, device):
    """Mistake: evaluates in whatever mode the model is in (dropout and batch norm stay in training behaviour)."""
    correct = total = 0
    with torch.no_grad():
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            correct += (model(x).argmax(1) == y).sum().item()
            total += len(y)
    return correct / total
