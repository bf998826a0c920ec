# exercise: make_loaders
# expect: seed a torch.Generator
from torch.utils.data import random_split


def make_loaders(dataset, batch_size, val_fraction=0.2, seed=0):
    """Mistake: random_split without a generator draws from the global random state (seed unused)."""
    n_val = int(round(val_fraction * len(dataset)))
    train_set, val_set = random_split(dataset, [len(dataset) - n_val, n_val])
    return (
        DataLoader(train_set, batch_size=batch_size, shuffle=True),
        DataLoader(val_set, batch_size=batch_size, shuffle=False),
    )
