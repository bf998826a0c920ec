# exercise: evaluate
# expect: restore its mode
def evaluate(model, loader, device):
    """Mistake: leaves the model in eval mode; training then continues without dropout / batch norm."""
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            correct += (model(x).argmax(1) == y).sum().item()
            total += len(y)
    return correct / total
