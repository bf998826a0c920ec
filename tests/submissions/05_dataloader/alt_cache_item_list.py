# exercise: cache_in_memory
class InMemory(Dataset):
    """The items as they came, in a list."""

    def __init__(self, items):
        self.items = items

    def __len__(self):
        return len(self.items)

    def __getitem__(self, index):
        image, label = self.items[index]
        return image, label


def cache_in_memory(dataset):
    """Alternative: a Dataset subclass over a list, filled by iterating (old-style, until IndexError)."""
    return InMemory([(image.clone(), label) for image, label in dataset])
