# exercise: make_loaders
# expect: round(
from torch.utils.data import random_split


def make_loaders(dataset, batch_size, val_fraction=0.2, seed=0):
    """Mistake: random_split with fractions rounds down and gives the remainder to the first part
    (53 examples at 0.2: 10 validation examples, not round(10.6) = 11)."""
    train_set, val_set = random_split(
        dataset, [1 - val_fraction, val_fraction], generator=torch.Generator().manual_seed(seed)
    )
    train_loader = DataLoader(train_set, batch_size, shuffle=True)
    val_loader = DataLoader(val_set, batch_size)
    return train_loader, val_loader
