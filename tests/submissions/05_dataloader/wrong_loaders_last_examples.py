# exercise: make_loaders
# expect: first or last examples
def make_loaders(dataset, batch_size, val_fraction=0.2, seed=0):
    """Mistake: the last examples become the validation set (with sorted files: the last classes)."""
    n_val = int(round(val_fraction * len(dataset)))
    n_train = len(dataset) - n_val
    g = torch.Generator().manual_seed(seed)
    return (
        DataLoader(
            Subset(dataset, range(n_train)), batch_size=batch_size, shuffle=True, generator=g
        ),
        DataLoader(Subset(dataset, range(n_train, len(dataset))), batch_size=batch_size),
    )
