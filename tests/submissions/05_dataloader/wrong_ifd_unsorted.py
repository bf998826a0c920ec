# exercise: ImageFolderDataset
# expect: sort the class folders
import os


class ImageFolderDataset(Dataset):
    """Mistake: takes folders and files in the order os.listdir gives them (not sorted)."""

    def __init__(self, root, transform=None):
        self.root = Path(root)
        self.transform = transform
        if not self.root.is_dir():
            raise FileNotFoundError(f"image folder {self.root} does not exist")
        self.classes = [d for d in os.listdir(self.root) if (self.root / d).is_dir()]
        self.samples = [
            (self.root / name / f, label)
            for label, name in enumerate(self.classes)
            for f in os.listdir(self.root / name)
            if f.endswith(".png")
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
        t = torch.from_numpy(pixels.copy())
        return (t[None] if t.ndim == 2 else t.permute(2, 0, 1)), label
