# exercise: make_loaders
from torch.utils.data import SubsetRandomSampler


def make_loaders(dataset, batch_size, val_fraction=0.2, seed=0):
    """Alternative: NumPy's seeded permutation and samplers over the whole data set."""
    rng = np.random.default_rng(seed)
    idx = rng.permutation(len(dataset))
    n_val = round(len(dataset) * val_fraction)
    val_idx, train_idx = idx[:n_val].tolist(), idx[n_val:].tolist()
    train_loader = DataLoader(
        dataset, batch_size=batch_size, sampler=SubsetRandomSampler(train_idx)
    )
    val_loader = DataLoader(dataset, batch_size=batch_size, sampler=val_idx)
    return train_loader, val_loader
