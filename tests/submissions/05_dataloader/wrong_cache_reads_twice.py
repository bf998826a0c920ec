# exercise: cache_in_memory
# expect: read each item exactly once
def cache_in_memory(dataset):
    """Mistake: one pass for the images and another for the labels: every item is read twice."""
    images = torch.stack([dataset[i][0] for i in range(len(dataset))])
    labels = torch.tensor([int(dataset[i][1]) for i in range(len(dataset))])
    return TensorDataset(images, labels)
