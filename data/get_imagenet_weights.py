"""Download torchvision's ImageNet weights into the local torch hub cache (needs the network).

    python data/get_imagenet_weights.py                    # resnet18, ResNet18_Weights.DEFAULT
    python data/get_imagenet_weights.py --arch resnet50 --arch mobilenet_v3_small

The files go where torchvision looks for them, ``torch.hub.get_dir()/checkpoints/`` (by
default ``~/.cache/torch/hub/checkpoints``; set ``TORCH_HOME`` to move it), and their hash is
checked after the download (torchvision's ``check_hash=True``: the file name carries the first
digits of its SHA-256). Afterwards 06_pretrained uses ImageNet weights
(``cs231n_tools.weights.load_pretrained``) without touching the network again.
"""

from __future__ import annotations

import argparse
import sys

import torch
import torchvision

from cs231n_tools.weights import cached_imagenet_weights, imagenet_weights_path

DEFAULT_ARCHS = ("resnet18",)
OFFLINE = (
    "Could not download {weights} from {url}: {error}\n"
    "This needs the network. Without it 06_pretrained uses the course's digits model instead."
)


def fetch(*, archs=DEFAULT_ARCHS, progress: bool = True) -> list[str]:
    """Put each architecture's DEFAULT ImageNet weights in the torch hub cache; returns their paths."""
    paths = []
    for arch in archs:
        weights = torchvision.models.get_model_weights(arch).DEFAULT
        path = imagenet_weights_path(weights)
        if cached_imagenet_weights(weights):
            print(f"{weights}: already cached at {path}")
        else:
            try:
                weights.get_state_dict(progress=progress, check_hash=True)
            except OSError as exc:  # URLError is an OSError
                raise SystemExit(
                    OFFLINE.format(weights=weights, url=weights.url, error=exc)
                ) from exc
            print(f"{weights}: downloaded to {path}")
        paths.append(str(path))
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  python data/get_imagenet_weights.py\n"
        "  python data/get_imagenet_weights.py --arch resnet50",
    )
    parser.add_argument(
        "--arch",
        action="append",
        choices=torchvision.models.list_models(module=torchvision.models),
        metavar="NAME",
        help=f"a torchvision classification model (repeatable; default: {', '.join(DEFAULT_ARCHS)})",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    print(f"torch hub cache: {torch.hub.get_dir()}")
    fetch(archs=tuple(args.arch or fetch.__kwdefaults__["archs"]), progress=not args.quiet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
