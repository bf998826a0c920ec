# exercise: make_loaders
# expect: do not shuffle it
def make_loaders(dataset, batch_size, val_fraction=0.2, seed=0):
    """Mistake: the validation loader shuffles too."""
    g = torch.Generator().manual_seed(seed)
    n_val = int(round(val_fraction * len(dataset)))
    order = torch.randperm(len(dataset), generator=g).tolist()
    return (
        DataLoader(Subset(dataset, order[n_val:]), batch_size=batch_size, shuffle=True),
        DataLoader(Subset(dataset, order[:n_val]), batch_size=batch_size, shuffle=True),
    )
