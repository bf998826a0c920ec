# exercise: make_loaders
# expect: shuffle the training data
def make_loaders(dataset, batch_size, val_fraction=0.2, seed=0):
    """Mistake: a random split, but the training loader never reshuffles between epochs."""
    g = torch.Generator().manual_seed(seed)
    n_val = int(round(val_fraction * len(dataset)))
    order = torch.randperm(len(dataset), generator=g).tolist()
    return (
        DataLoader(Subset(dataset, order[n_val:]), batch_size=batch_size),
        DataLoader(Subset(dataset, order[:n_val]), batch_size=batch_size),
    )
