"""Pretrained weights the torchvision way (06_pretrained).

torchvision describes every set of pretrained weights with a ``Weights`` entry of a
``WeightsEnum`` (``ResNet18_Weights.IMAGENET1K_V1``): where the file lives (``url``), the
preprocessing it expects (``transforms()``) and facts about it (``meta``). A builder such as
``resnet18(weights=...)`` makes the model and loads the state dict. This module gives the
course's own small model the same shape, so the notebook's code is the code you would write
for an ImageNet model:

- :class:`DigitsCNN`: a tiny ResNet (a stem, two residual blocks, global pooling, ``fc``)
  for 1x8x8 grey digits.
- :class:`DigitsCNN_Weights`: ``DIGITS04_V1`` (alias ``DEFAULT``), trained on the digits 0-4
  by ``python data/make_pretrained_digits.py`` and shipped in ``data/weights/``. Its
  ``get_state_dict()`` reads that file, never the network, and checks its SHA-256 on every load.
- :func:`digits_cnn`: the builder, ``digits_cnn(weights=DigitsCNN_Weights.DEFAULT)``, also
  registered with torchvision: ``torchvision.models.get_model("digits_cnn", weights="DEFAULT")``.
- :func:`cached_imagenet_weights` / :func:`load_pretrained`: use torchvision's ImageNet weights
  when ``python data/get_imagenet_weights.py`` has put them in the torch hub cache, and the
  course's digits weights (with one message saying how to fetch ImageNet's) otherwise.

No ``from __future__ import annotations`` here: torchvision reads the builder's ``weights``
annotation at run time (``get_model_weights``) and needs the real class, not a string.
"""

import hashlib
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple, Optional, Union

import torch
import torchvision
from torch import Tensor, nn
from torchvision.models import Weights, WeightsEnum
from torchvision.transforms import functional as TF

from cs231n_tools.paths import REPO_ROOT

#: shipped weights live beside the code (not in ``data_dir()``, which a user may redirect)
WEIGHTS_DIR = REPO_ROOT / "data" / "weights"
DIGITS04_FILENAME = "digits_cnn_digits04_v1.pt"
#: SHA-256 of ``data/weights/digits_cnn_digits04_v1.pt``; ``make_pretrained_digits.py`` prints it
DIGITS04_SHA256 = "a05248fc80b65f29eaba47e96cee83a9f1e1e64ba603629a77d0f4363d4ae52b"
#: held-out accuracy on the digits 0-4 (``make_pretrained_digits.py`` prints it)
DIGITS04_ACCURACY = 0.9944
#: mean and std of the training pixels (the digits 0-4 in [0, 1]), used by the transforms
DIGITS_MEAN = 0.30
DIGITS_STD = 0.38
REBUILD_COMMAND = "python data/make_pretrained_digits.py"
FETCH_IMAGENET_COMMAND = "python data/get_imagenet_weights.py"

WEIGHTS_MISSING = (
    "The course's pretrained weights {path} are missing. Rebuild them (a few seconds on a CPU) "
    "from the repository's top folder with\n    {command}"
)
WEIGHTS_CORRUPT = (
    "The course's pretrained weights {path} do not match their SHA-256: expected {expected}, "
    "found {found}. The file is damaged or was rebuilt on another machine. Rebuild it from the "
    "repository's top folder with\n    {command}\n"
    "and, if the build prints a new SHA-256, put it in DIGITS04_SHA256 in cs231n_tools/weights.py."
)
IMAGENET_NOT_CACHED = (
    "ImageNet weights for {arch} ({weights}) are not in the torch hub cache ({path}), so this "
    "uses the course's small model pretrained on the digits 0-4 ({fallback}) instead. To use "
    "ImageNet weights, run once (online, {size}) from the repository's top folder:\n    {command}"
)


# -- the model ---------------------------------------------------------------------------------
class BasicBlock(nn.Module):
    """ResNet's basic block: two 3x3 convolutions with batch norm and a shortcut."""

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = None
        if stride != 1 or in_channels != out_channels:
            self.downsample = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                nn.BatchNorm2d(out_channels),
            )

    def forward(self, x: Tensor) -> Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class DigitsCNN(nn.Module):
    """A ResNet in miniature for (N, 1, 8, 8) grey digits; ``fc`` is the classifier.

    stem (3x3 conv, 16 channels) -> ``layer1`` (block, 16 ch, 8x8) -> ``layer2`` (block,
    32 ch, 4x4) -> global average pool -> ``fc`` (32 -> ``num_classes``). The names follow
    torchvision's ResNet (``conv1``, ``bn1``, ``layer1``, ``avgpool``, ``fc``), so code written
    for ``resnet18`` (``model.fc.in_features``) works on it unchanged. About 20,000 parameters.
    """

    def __init__(self, num_classes: int = 5, width: int = 16):
        super().__init__()
        self.conv1 = nn.Conv2d(1, width, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.layer1 = BasicBlock(width, width)
        self.layer2 = BasicBlock(width, 2 * width, stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(2 * width, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer2(self.layer1(x))
        return self.fc(torch.flatten(self.avgpool(x), 1))


# -- preprocessing -----------------------------------------------------------------------------
class DigitsClassification(nn.Module):
    """The preprocessing of :class:`DigitsCNN_Weights` (like torchvision's ``ImageClassification``).

    Accepts a ``PIL.Image`` (converted to grey), a single ``(1, H, W)`` / ``(H, W)`` or a batched
    ``(B, 1, H, W)`` tensor (uint8 in 0..255 or float in [0, 1]). Resizes to 8x8 when needed,
    rescales to [0, 1] and normalises with ``mean`` and ``std``. Returns float32
    ``(1, 8, 8)`` (or ``(B, 1, 8, 8)``) with values in ``[-mean/std, (1-mean)/std]``.
    """

    def __init__(self, *, size: int = 8, mean: float = DIGITS_MEAN, std: float = DIGITS_STD):
        super().__init__()
        self.size = [size, size]
        self.mean = [float(mean)]
        self.std = [float(std)]

    def forward(self, img: Union[Tensor, Any]) -> Tensor:
        if not isinstance(img, Tensor):
            img = TF.pil_to_tensor(img.convert("L"))
        if img.ndim == 2:
            img = img.unsqueeze(0)
        if img.ndim not in (3, 4) or img.shape[-3] != 1:
            raise ValueError(
                f"expected a grey image (1, H, W) or a batch (B, 1, H, W), got shape {tuple(img.shape)}"
            )
        img = TF.convert_image_dtype(img, torch.float32)
        if list(img.shape[-2:]) != self.size:
            img = TF.resize(img, self.size, antialias=True).clamp_(0.0, 1.0)
        return TF.normalize(img, mean=self.mean, std=self.std)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(size={self.size}, mean={self.mean}, std={self.std})"

    def describe(self) -> str:
        return (
            "Accepts ``PIL.Image``, batched ``(B, 1, H, W)`` and single ``(1, H, W)`` grey image "
            f"``torch.Tensor`` objects. Images are resized to ``{self.size}`` when needed, rescaled "
            f"to ``[0.0, 1.0]`` and normalized using ``mean={self.mean}`` and ``std={self.std}``."
        )


# -- the weights ---------------------------------------------------------------------------------
class WeightsIntegrityError(RuntimeError):
    """A shipped weights file is missing or its SHA-256 is not the expected one."""


def sha256_of(path: Union[str, Path]) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_verified_state_dict(path: Union[str, Path], sha256: str, map_location="cpu") -> dict:
    """``torch.load`` a state dict after checking the file's SHA-256 (raises WeightsIntegrityError)."""
    path = Path(path)
    if not path.is_file():
        raise WeightsIntegrityError(WEIGHTS_MISSING.format(path=path, command=REBUILD_COMMAND))
    found = sha256_of(path)
    if found != sha256:
        raise WeightsIntegrityError(
            WEIGHTS_CORRUPT.format(path=path, expected=sha256, found=found, command=REBUILD_COMMAND)
        )
    return torch.load(path, map_location=map_location, weights_only=True)


def _num_params(**kwargs) -> int:
    """Parameters of a DigitsCNN, counted on the meta device (allocates nothing, draws no random numbers)."""
    with torch.device("meta"):
        return sum(p.numel() for p in DigitsCNN(**kwargs).parameters())


class DigitsCNN_Weights(WeightsEnum):
    """Pretrained weights of :class:`DigitsCNN`, used exactly like ``ResNet18_Weights``."""

    DIGITS04_V1 = Weights(
        url=(WEIGHTS_DIR / DIGITS04_FILENAME).as_uri(),
        transforms=partial(DigitsClassification, size=8, mean=DIGITS_MEAN, std=DIGITS_STD),
        meta={
            "num_params": _num_params(num_classes=5),
            "min_size": (8, 8),
            "categories": [str(d) for d in range(5)],
            "dataset": "scikit-learn digits, classes 0-4",
            "recipe": REBUILD_COMMAND,
            "sha256": DIGITS04_SHA256,
            "file": DIGITS04_FILENAME,
            "_metrics": {"digits04-heldout": {"acc@1": DIGITS04_ACCURACY}},
            "_docs": "A tiny ResNet trained for a few seconds on the CPU on the digits 0-4 "
            "(fixed seed, deterministic algorithms, one thread).",
        },
    )
    DEFAULT = DIGITS04_V1

    @property
    def path(self) -> Path:
        """Where the weights file lives on this machine."""
        return WEIGHTS_DIR / self.meta["file"]

    def get_state_dict(self, *args: Any, **kwargs: Any) -> dict:
        """The state dict from the local file, SHA-256 checked; never downloads.

        Accepts (and ignores) torchvision's ``progress=`` / ``check_hash=`` keywords.
        """
        return load_verified_state_dict(self.path, self.meta["sha256"], map_location="cpu")


def digits_cnn(
    *,
    weights: Optional[DigitsCNN_Weights] = None,
    progress: bool = False,
    num_classes: Optional[int] = None,
) -> DigitsCNN:
    """A :class:`DigitsCNN`, pretrained when ``weights`` is given (mirrors ``resnet18(weights=...)``).

    ``weights``: a :class:`DigitsCNN_Weights` member, its name (``"DEFAULT"``,
    ``"DIGITS04_V1"``) or None (random initialisation). ``num_classes`` defaults to the
    weights' number of categories (5), or 5 without weights; giving another number together
    with weights is an error, as in torchvision. ``progress`` is accepted for symmetry.
    """
    weights = DigitsCNN_Weights.verify(weights)
    if weights is not None:
        categories = len(weights.meta["categories"])
        if num_classes is not None and num_classes != categories:
            raise ValueError(
                f"weights {weights} have {categories} classes, not num_classes={num_classes}; "
                "build with those weights and replace model.fc to change the number of classes"
            )
        num_classes = categories
    model = DigitsCNN(num_classes=5 if num_classes is None else num_classes)
    if weights is not None:
        model.load_state_dict(weights.get_state_dict(progress=progress))
    return model


# torchvision exports get_model/list_models but keeps its decorator in ``_api``; registering once
# per process (a re-import must not raise "already registered").
if "digits_cnn" not in torchvision.models.list_models():
    from torchvision.models._api import register_model

    register_model("digits_cnn")(digits_cnn)


# -- ImageNet weights from the local torch hub cache ---------------------------------------------
def imagenet_weights_path(weights: WeightsEnum) -> Path:
    """Where torchvision keeps ``weights``'s file: ``torch.hub.get_dir()/checkpoints/<file name>``."""
    filename = Path(torch.hub.urlparse(weights.url).path).name
    return Path(torch.hub.get_dir()) / "checkpoints" / filename


def cached_imagenet_weights(weights: WeightsEnum) -> bool:
    """True when ``weights`` (e.g. ``ResNet18_Weights.DEFAULT``) are already in the local cache,
    so that loading them needs no network."""
    return imagenet_weights_path(weights).is_file()


class Pretrained(NamedTuple):
    """What :func:`load_pretrained` gives: the model (eval mode), its weights entry, a word."""

    model: nn.Module
    weights: WeightsEnum
    source: str  # "imagenet" or "digits"


def load_pretrained(prefer: str = "imagenet", *, arch: str = "resnet18") -> Pretrained:
    """A pretrained model in eval mode, via ``torchvision.models.get_model``.

    ``prefer="imagenet"``: ``arch`` (a torchvision classification model) with its DEFAULT
    ImageNet weights when :func:`cached_imagenet_weights` says they are on disk; otherwise
    prints :data:`IMAGENET_NOT_CACHED` once and falls back to the course's
    ``digits_cnn`` with ``DigitsCNN_Weights.DEFAULT``. ``prefer="digits"``: the course's model.
    Never downloads.
    """
    if prefer not in ("imagenet", "digits"):
        raise ValueError(f"prefer must be 'imagenet' or 'digits', got {prefer!r}")
    if prefer == "imagenet":
        weights = torchvision.models.get_model_weights(arch).DEFAULT
        if cached_imagenet_weights(weights):
            model = torchvision.models.get_model(arch, weights=weights)
            return Pretrained(model.eval(), weights, "imagenet")
        size = weights.meta.get("_file_size")
        print(
            IMAGENET_NOT_CACHED.format(
                arch=arch,
                weights=weights,
                path=imagenet_weights_path(weights),
                fallback=DigitsCNN_Weights.DEFAULT,
                size=f"{size:.0f} MB" if size else "tens of MB",
                command=f"{FETCH_IMAGENET_COMMAND} --arch {arch}",
            )
        )
    weights = DigitsCNN_Weights.DEFAULT
    model = torchvision.models.get_model("digits_cnn", weights=weights)
    return Pretrained(model.eval(), weights, "digits")
