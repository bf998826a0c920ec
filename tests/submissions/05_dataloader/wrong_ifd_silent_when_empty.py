# exercise: ImageFolderDataset
# expect: should raise
class ImageFolderDataset(Dataset):
    """Mistake: an empty or missing root gives an empty data set instead of an error."""

    def __init__(self, root, transform=None):
        self.root = Path(root)
        self.transform = transform
        self.samples = sorted((p, None) for p in self.root.glob("*/*.png"))
        self.classes = sorted({p.parent.name for p, _ in self.samples})
        self.samples = [(p, self.classes.index(p.parent.name)) for p, _ in self.samples]

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, index):
        path, label = self.samples[index]
        with Image.open(path) as im:
            if self.transform is not None:
                return self.transform(im), label
            pixels = np.asarray(im, dtype=np.float32) / 255.0
        t = torch.from_numpy(pixels.copy())
        return (t[None] if t.ndim == 2 else t.permute(2, 0, 1)), label
