# exercise: make_loaders
# expect: keep the last batch
def make_loaders(dataset, batch_size, val_fraction=0.2, seed=0):
    """Mistake: drop_last=True silently loses examples every epoch."""
    g = torch.Generator().manual_seed(seed)
    n_val = int(round(val_fraction * len(dataset)))
    order = torch.randperm(len(dataset), generator=g).tolist()
    return (
        DataLoader(
            Subset(dataset, order[n_val:]), batch_size=batch_size, shuffle=True, drop_last=True
        ),
        DataLoader(Subset(dataset, order[:n_val]), batch_size=batch_size, drop_last=True),
    )
