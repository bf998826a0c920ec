# exercise: cache_in_memory
# expect: read no item
class LazyCache(Dataset):
    """Mistake: a wrapper that reads the slow data set on every access: nothing is cached."""

    def __init__(self, dataset):
        self.dataset = dataset

    def __len__(self):
        return len(self.dataset)

    def __getitem__(self, i):
        return self.dataset[i]


def cache_in_memory(dataset):
    """Mistake: returns a lazy wrapper."""
    return LazyCache(dataset)
