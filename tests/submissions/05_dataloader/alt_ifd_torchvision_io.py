# exercise: ImageFolderDataset
import os

import torchvision
from torchvision.transforms.functional import to_pil_image


class ImageFolderDataset(Dataset):
    """Alternative: os.scandir for the listing, torchvision.io to decode the PNG."""

    def __init__(self, root, transform=None):
        root = os.fspath(root)
        if not os.path.isdir(root):
            raise FileNotFoundError(f"{root!r} is not a folder")
        self.transform = transform
        self.classes = sorted(e.name for e in os.scandir(root) if e.is_dir())
        self.paths, self.labels = [], []
        for label, name in enumerate(self.classes):
            folder = os.path.join(root, name)
            for f in sorted(os.listdir(folder)):
                if f.endswith(".png"):
                    self.paths.append(os.path.join(folder, f))
                    self.labels.append(label)
        if len(self.paths) == 0:
            raise ValueError(f"found no .png images under {root}")

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, index):
        if self.transform is not None:
            return self.transform(Image.open(self.paths[index])), self.labels[index]
        image = torchvision.io.decode_png(torchvision.io.read_file(self.paths[index]))
        return image.float() / 255, int(self.labels[index])
