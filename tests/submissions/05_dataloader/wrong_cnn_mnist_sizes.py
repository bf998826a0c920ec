# exercise: build_cnn
# expect: fails on a batch
def build_cnn(num_classes=10):
    """Mistake: copied from an MNIST example; the classifier expects 28x28 inputs (7x7 after two poolings)."""
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 7 * 7, num_classes),
    )
