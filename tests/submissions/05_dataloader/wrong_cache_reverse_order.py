# exercise: cache_in_memory
# expect: index order
def cache_in_memory(dataset):
    """Mistake: reads the items from the last to the first (and puts them back in order)."""
    items = [dataset[i] for i in reversed(range(len(dataset)))][::-1]
    return TensorDataset(
        torch.stack([image for image, _ in items]), torch.tensor([int(label) for _, label in items])
    )
