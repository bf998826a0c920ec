# exercise: make_loaders
from torch.utils.data import random_split


def make_loaders(dataset, batch_size, val_fraction=0.2, seed=0):
    """Alternative: random_split with fractions and a seeded generator."""
    train_set, val_set = random_split(dataset, [1 - val_fraction, val_fraction],
                                      generator=torch.Generator().manual_seed(seed))
    train_loader = DataLoader(train_set, batch_size, shuffle=True)
    val_loader = DataLoader(val_set, batch_size)
    return train_loader, val_loader
