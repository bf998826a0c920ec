# exercise: evaluate
# expect: averaged the batch accuracies
def evaluate(model, loader, device):
    """Mistake: the mean of the batch accuracies."""
    was_training = model.training
    model.eval()
    accs = []
    with torch.no_grad():
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            accs.append((model(x).argmax(1) == y).float().mean().item())
    model.train(was_training)
    return sum(accs) / len(accs)
