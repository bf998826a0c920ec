# exercise: make_loaders
# expect: round(
def make_loaders(dataset, batch_size, val_fraction=0.2, seed=0):
    """Mistake: int() truncates the number of validation examples (10.6 -> 10) instead of rounding."""
    generator = torch.Generator().manual_seed(seed)
    n_val = int(val_fraction * len(dataset))
    order = torch.randperm(len(dataset), generator=generator).tolist()
    return (
        DataLoader(Subset(dataset, order[n_val:]), batch_size=batch_size, shuffle=True),
        DataLoader(Subset(dataset, order[:n_val]), batch_size=batch_size, shuffle=False),
    )
