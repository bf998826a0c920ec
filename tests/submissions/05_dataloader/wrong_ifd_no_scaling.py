# exercise: ImageFolderDataset
# expect: divide by 255
class ImageFolderDataset(Dataset):
    """Mistake: pixel values left at 0..255."""

    def __init__(self, root, transform=None):
        self.root = Path(root)
        self.transform = transform
        if not self.root.is_dir():
            raise FileNotFoundError(f"image folder {self.root} does not exist")
        self.classes = sorted(p.name for p in self.root.iterdir() if p.is_dir())
        self.samples = [
            (p, i)
            for i, c in enumerate(self.classes)
            for p in sorted((self.root / c).glob("*.png"))
        ]
        if not self.samples:
            raise ValueError(f"no PNG files in {self.root}")

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, index):
        path, label = self.samples[index]
        with Image.open(path) as im:
            if self.transform is not None:
                return self.transform(im), label
            pixels = np.asarray(im, dtype=np.float32)
        t = torch.from_numpy(pixels.copy())
        return (t[None] if t.ndim == 2 else t.permute(2, 0, 1)), label
