# exercise: cache_in_memory
# expect: after cache_in_memory had returned
class Cached(Dataset):
    """Mistake: the items are copied, but len() still asks the original data set."""

    def __init__(self, dataset):
        self.dataset = dataset
        self.items = [dataset[i] for i in range(len(dataset))]

    def __len__(self):
        return len(self.dataset)

    def __getitem__(self, i):
        return self.items[i]


def cache_in_memory(dataset):
    return Cached(dataset)
