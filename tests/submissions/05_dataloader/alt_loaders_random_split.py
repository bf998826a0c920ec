# exercise: make_loaders
from torch.utils.data import random_split


def make_loaders(dataset, batch_size, val_fraction=0.2, seed=0):
    """Alternative: random_split with the two lengths and a seeded generator."""
    n_val = round(val_fraction * len(dataset))
    train_set, val_set = random_split(
        dataset, [len(dataset) - n_val, n_val], generator=torch.Generator().manual_seed(seed)
    )
    train_loader = DataLoader(train_set, batch_size, shuffle=True)
    val_loader = DataLoader(val_set, batch_size)
    return train_loader, val_loader
