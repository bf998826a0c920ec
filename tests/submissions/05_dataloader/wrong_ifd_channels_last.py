# exercise: ImageFolderDataset
# expect: channels first
class ImageFolderDataset(Dataset):
    """Mistake: returns (H, W, C) images, as NumPy and PIL lay them out."""

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
            pixels = np.asarray(im, dtype=np.float32) / 255.0
        if pixels.ndim == 2:
            pixels = pixels[:, :, None]
        return torch.from_numpy(pixels.copy()), label
