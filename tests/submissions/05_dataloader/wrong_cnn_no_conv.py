# exercise: build_cnn
# expect: nn.Conv2d
def build_cnn(num_classes=10):
    """Mistake: a multilayer perceptron, not a CNN."""
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, num_classes))
