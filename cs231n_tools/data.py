"""Data sets as image-folder trees of PNG files (05_dataloader, 06_pretrained).

An *image folder* is the layout ``torchvision.datasets.ImageFolder`` reads and 05_dataloader's
``ImageFolderDataset`` exercise reads::

    root/<class name>/<index>.png

Class folders sort into label order (``"0" < "1" < ... < "9"``; CIFAR-10's class names sort
into its official label order too), and file names are zero-padded so that sorting them
gives the data set's order.

- :func:`digits_image_folder` writes scikit-learn's handwritten digits (1,797 images of 8x8
  grey pixels, shipped inside scikit-learn: no download) as PNG files.
- :func:`load_digits_tensors` gives the same digits as tensors, pixel for pixel what a PNG
  of :func:`digits_image_folder` decodes to.
- :func:`cifar10_image_folder` converts CIFAR-10, once ``bash data/get_datasets.sh`` has
  downloaded it, and otherwise raises :class:`DatasetMissingError` saying so.
- :class:`SlowDataset` wraps a data set and sleeps before every item: a deliberately slow
  data set for measuring ``DataLoader`` throughput (05_dataloader's data-bottleneck section).

Folders are written on first use and reused afterwards: each holds a marker file written
last, and a folder is built under a temporary name beside its final one and renamed into
place in one step, so several processes (graders running notebooks side by side) may ask for
the same folder at once. When the data folder (:func:`cs231n_tools.paths.data_dir`) cannot
be written, default folders go to ``~/.cache/cs231n/data`` instead, with a message on stdout.
"""

from __future__ import annotations

import errno
import functools
import importlib.util
import json
import os
import pickle
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from cs231n_tools import paths

#: file written last into a finished folder; holds what the folder contains
MARKER = ".complete"
#: bump when the layout changes, so old folders are rebuilt rather than misread
LAYOUT_VERSION = 1
DIGITS_LABELS = tuple(range(10))
CIFAR10_DIRNAME = "cifar-10-batches-py"
CIFAR10_CLASSES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)
CIFAR10_SPLITS = {"train": tuple(f"data_batch_{i}" for i in range(1, 6)), "test": ("test_batch",)}
FETCH_COMMAND = "bash data/get_datasets.sh"

DATASET_MISSING = (
    "{name} was not found: {path} does not exist.\n"
    "Download it (once, about {size}) from the repository's top folder with\n"
    "    {command}\n"
    'or keep working offline with the handwritten digits (DATASET = "digits").'
)
NOT_OURS = (
    "{path} exists but is not a finished {what} folder (no {marker} file, or it describes "
    "other contents: {found}). Delete it, or pass another root=, and call again."
)
FALLBACK = "Cannot write to {path} ({error}); using {fallback} instead."
BAD_LABELS = "labels must be digits between 0 and 9 without repeats, got {labels!r}"


class DatasetMissingError(FileNotFoundError):
    """A data set that must be downloaded first is not on disk; the message says how."""


# -- digits --------------------------------------------------------------------------------
def _check_labels(labels: Iterable[int] | None) -> tuple[int, ...]:
    if labels is None:
        return DIGITS_LABELS
    try:
        chosen = tuple(sorted(int(label) for label in labels))
    except (TypeError, ValueError) as exc:
        raise ValueError(BAD_LABELS.format(labels=labels)) from exc
    if not chosen or len(set(chosen)) != len(chosen) or not set(chosen) <= set(DIGITS_LABELS):
        raise ValueError(BAD_LABELS.format(labels=labels))
    return chosen


@functools.lru_cache(maxsize=1)
def _digits_raw() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's digits: float64 images (1797, 8, 8) with values 0..16, int64 targets.

    Reads the CSV file scikit-learn ships (what ``load_digits`` reads) without importing
    ``sklearn.datasets`` (and SciPy behind it: seconds); falls back to ``load_digits``.
    """
    spec = importlib.util.find_spec("sklearn")
    csv = None
    if spec is not None and spec.submodule_search_locations:
        csv = (
            Path(next(iter(spec.submodule_search_locations)))
            / "datasets"
            / "data"
            / "digits.csv.gz"
        )
    if csv is not None and csv.is_file():
        table = np.loadtxt(csv, delimiter=",")
        images, target = table[:, :-1].reshape(-1, 8, 8), table[:, -1].astype(np.int64)
    else:
        from sklearn.datasets import load_digits

        digits = load_digits()
        images, target = digits.images, digits.target.astype(np.int64)
    images.setflags(write=False)
    target.setflags(write=False)
    return images, target


def _digits_arrays(labels: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(uint8 images (N, 8, 8) in 0..255, labels (N,), indices into load_digits (N,))."""
    all_images, all_target = _digits_raw()
    keep = np.isin(all_target, labels)
    # 0..16 -> 0..255, rounded to the nearest grey level a PNG can hold
    images = np.rint(all_images[keep] * (255.0 / 16.0)).astype(np.uint8)
    return images, all_target[keep].copy(), np.flatnonzero(keep)


def load_digits_tensors(labels: Iterable[int] | None = None):
    """The handwritten digits as tensors ``(x, y)``.

    ``x``: float32, shape (N, 1, 8, 8), values in [0, 1] (the 0..255 grey levels of the PNG
    files of :func:`digits_image_folder`, divided by 255: the same numbers
    ``ImageFolderDataset`` reads). ``y``: int64, shape (N,), the digit itself (0..9), also
    when ``labels`` keeps only some digits (e.g. ``labels=range(5)``). Order: scikit-learn's.
    Used by 06_pretrained.
    """
    import torch

    images, targets, _ = _digits_arrays(_check_labels(labels))
    x = torch.from_numpy(images).to(torch.float32).div_(255.0).unsqueeze(1)
    return x, torch.from_numpy(targets)


def _write_digits(folder: Path, labels: tuple[int, ...]) -> int:
    from PIL import Image

    images, targets, indices = _digits_arrays(labels)
    for label in labels:
        (folder / str(label)).mkdir()
    for image, label, index in zip(images, targets, indices, strict=True):
        Image.fromarray(image).save(folder / str(label) / f"{index:04d}.png")
    return len(images)


def digits_image_folder(
    root: str | os.PathLike | None = None, *, labels: Iterable[int] | None = None
) -> Path:
    """Scikit-learn's handwritten digits as an image folder; returns its root.

    Writes ``root/<digit>/<index>.png``: 8x8 grey (mode "L") PNG files, pixel values 0..16
    scaled to 0..255, ``<index>`` the image's position in ``sklearn.datasets.load_digits()``
    zero-padded to 4 places. ``labels`` (e.g. ``range(5)``) writes only those digits' folders;
    a reader that numbers the sorted class folders then sees labels 0..len(labels)-1.

    Default ``root``: ``data_dir() / "digits"`` for all ten digits, and
    ``data_dir() / "digits-<digits>"`` (e.g. ``digits-01234``) for a subset, so the two never
    share a folder. Written on first use (well under a second), reused afterwards; safe when
    several processes call it at once. An existing folder with other contents is not touched:
    :class:`FileExistsError`.
    """
    chosen = _check_labels(labels)
    name = "digits" if chosen == DIGITS_LABELS else "digits-" + "".join(map(str, chosen))
    meta = {"dataset": "digits", "labels": list(chosen), "version": LAYOUT_VERSION}
    return _materialise(
        root, name, meta, lambda folder: _write_digits(folder, chosen), what="digits"
    )


# -- a deliberately slow data set ------------------------------------------------------------
class SlowDataset:
    """A map-style data set whose every item costs ``delay`` seconds: ``dataset[i]`` after a sleep.

    A stand-in for slow storage or expensive decoding (a network disk, big JPEGs), so that
    05_dataloader can measure images per second with ``num_workers`` 0 and 2 and for a cache.
    It sleeps instead of computing, so the measurement means the same on a busy machine.
    Defined in a module rather than in the notebook so that ``DataLoader`` workers started with
    ``spawn`` (the default on macOS and Windows) can import it. Works with any object that has
    ``__len__`` and ``__getitem__``; ``delay`` in seconds, at least 0.
    """

    def __init__(self, dataset, delay: float = 0.002):
        if not delay >= 0:
            raise ValueError(f"delay must be a number of seconds >= 0, got {delay!r}")
        self.dataset = dataset
        self.delay = float(delay)

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, index):
        time.sleep(self.delay)
        return self.dataset[index]


# -- CIFAR-10 ------------------------------------------------------------------------------
def cifar10_dir() -> Path:
    """Where ``data/get_datasets.sh`` unpacks CIFAR-10: ``data_dir() / "cifar-10-batches-py"``."""
    return paths.data_dir() / CIFAR10_DIRNAME


def _read_cifar_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """One pickled CIFAR-10 batch: uint8 images (N, 32, 32, 3) and int64 labels (N,)."""
    with open(path, "rb") as f:
        batch = pickle.load(f, encoding="bytes")
    data = batch.get(b"data", batch.get("data"))
    labels = batch.get(b"labels", batch.get("labels"))
    images = np.asarray(data, dtype=np.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return images, np.asarray(labels, dtype=np.int64)


def _write_cifar10(folder: Path, source: Path, split: str) -> int:
    from PIL import Image

    for name in CIFAR10_CLASSES:
        (folder / name).mkdir()
    index = 0
    for batch in CIFAR10_SPLITS[split]:
        images, labels = _read_cifar_batch(source / batch)
        for image, label in zip(images, labels, strict=True):
            Image.fromarray(image).save(folder / CIFAR10_CLASSES[label] / f"{index:05d}.png")
            index += 1
    return index


def cifar10_image_folder(root: str | os.PathLike | None = None, *, split: str = "train") -> Path:
    """CIFAR-10 as an image folder ``root/<class name>/<index>.png`` (32x32 RGB); returns it.

    Needs the python version of CIFAR-10 in :func:`cifar10_dir` (``bash data/get_datasets.sh``
    puts it there); without it raises :class:`DatasetMissingError`, whose message names that
    command. ``split``: ``"train"`` (50,000 images) or ``"test"`` (10,000). The class folders
    (``airplane`` ... ``truck``) sort into CIFAR-10's label order. Default ``root``:
    ``data_dir() / "cifar10-<split>"``. The first call converts (about a minute for the
    training split); later calls reuse the folder.
    """
    if split not in CIFAR10_SPLITS:
        raise ValueError(f"split must be one of {sorted(CIFAR10_SPLITS)}, got {split!r}")
    source = cifar10_dir()
    missing = [b for b in CIFAR10_SPLITS[split] if not (source / b).is_file()]
    if missing:
        path = source if not source.is_dir() else source / missing[0]
        raise DatasetMissingError(
            DATASET_MISSING.format(name="CIFAR-10", path=path, size="170 MB", command=FETCH_COMMAND)
        )
    meta = {"dataset": "cifar10", "split": split, "version": LAYOUT_VERSION}
    return _materialise(
        root,
        f"cifar10-{split}",
        meta,
        lambda folder: _write_cifar10(folder, source, split),
        what="CIFAR-10",
    )


# -- writing a folder once, atomically -------------------------------------------------------
def _read_marker(folder: Path) -> dict | None:
    try:
        return json.loads((folder / MARKER).read_text())
    except (OSError, ValueError):
        return None


def _is_complete(folder: Path, meta: dict) -> bool:
    found = _read_marker(folder)
    return found is not None and {k: found.get(k) for k in meta} == meta


def _build(target: Path, meta: dict, write: Callable[[Path], int], what: str) -> Path:
    """Make ``target`` with ``write`` unless a finished copy is there; atomic rename."""
    if _is_complete(target, meta):
        return target
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise FileExistsError(
            NOT_OURS.format(path=target, what=what, marker=MARKER, found=_read_marker(target))
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        count = write(tmp)
        (tmp / MARKER).write_text(json.dumps({**meta, "count": count}))
        tmp.chmod(0o755)  # mkdtemp makes it private
        try:
            os.replace(tmp, target)  # atomic; also replaces an empty folder
        except OSError:
            # Someone else finished first (target now non-empty): use theirs.
            if not _is_complete(target, meta):
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def _materialise(root, name: str, meta: dict, write: Callable[[Path], int], *, what: str) -> Path:
    if root is not None:
        return _build(Path(root), meta, write, what)
    try:
        target = paths.data_dir() / name
        return _build(target, meta, write, what)
    except OSError as exc:
        if exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise
        fallback = paths.CACHE_ROOT / "data" / name
        print(
            FALLBACK.format(path=exc.filename or name, error=exc.strerror or exc, fallback=fallback)
        )
        return _build(fallback, meta, write, what)
