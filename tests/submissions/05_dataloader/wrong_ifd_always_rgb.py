# exercise: ImageFolderDataset
# expect: C = 1 for a grey PNG
class ImageFolderDataset(Dataset):
    """Mistake: converts every image to RGB, so a grey PNG gives 3 channels."""

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
            im = im.convert("RGB")
            if self.transform is not None:
                return self.transform(im), label
            pixels = np.asarray(im, dtype=np.float32) / 255.0
        return torch.from_numpy(pixels.copy()).permute(2, 0, 1), label
