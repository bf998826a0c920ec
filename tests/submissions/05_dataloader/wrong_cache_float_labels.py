# exercise: cache_in_memory
# expect: integer tensor
def cache_in_memory(dataset):
    """Mistake: torch.Tensor(list) makes float32 labels, which nn.CrossEntropyLoss reads as probabilities."""
    images, labels = [], []
    for i in range(len(dataset)):
        image, label = dataset[i]
        images.append(image)
        labels.append(int(label))
    return TensorDataset(torch.stack(images), torch.Tensor(labels))
