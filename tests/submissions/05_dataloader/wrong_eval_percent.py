# exercise: evaluate
# expect: not in [0, 1]
def evaluate(model, loader, device):
    """Mistake: a percentage, not a fraction."""
    was_training = model.training
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            correct += (model(x).argmax(1) == y).sum().item()
            total += len(y)
    model.train(was_training)
    return 100.0 * correct / total
