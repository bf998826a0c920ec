"""Build the course's pretrained model: DigitsCNN trained on the handwritten digits 0-4.

    python data/make_pretrained_digits.py            # writes data/weights/digits_cnn_digits04_v1.pt
    python data/make_pretrained_digits.py --out-dir /tmp/w --check

The weights ship with the course (06_pretrained fine-tunes them on the digits 5-9). Training is
deterministic: a fixed seed, ``torch.use_deterministic_algorithms(True)``, one CPU thread, the
data in scikit-learn's order split by a seeded generator. On one machine two builds give the
same bytes; another CPU (other vector instructions in the convolution kernels) may round
differently and give another SHA-256, but the same accuracy to within a fraction of a percent.

Writes ``<out-dir>/digits_cnn_digits04_v1.pt`` (a state dict, about 90 KB) and
``<out-dir>/digits_cnn_digits04_v1.pt.sha256`` (``sha256sum -c`` format), and prints the SHA-256
and the held-out accuracy that ``cs231n_tools/weights.py`` records in ``DIGITS04_SHA256`` and
``DIGITS04_ACCURACY``; ``--check`` fails when they differ from the recorded ones.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from cs231n_tools import weights as W
from cs231n_tools.data import load_digits_tensors

LABELS = tuple(range(5))


@dataclass(frozen=True)
class BuildResult:
    path: Path
    sha256: str
    accuracy: float  # on the held-out 20% of the digits 0-4
    num_train: int
    num_test: int


@contextlib.contextmanager
def deterministic_cpu(seed: int):
    """One thread, deterministic algorithms, a fixed seed; the global state restored afterwards."""
    threads = torch.get_num_threads()
    was_deterministic = torch.are_deterministic_algorithms_enabled()
    with torch.random.fork_rng(devices=[]):
        torch.set_num_threads(1)
        torch.use_deterministic_algorithms(True)
        torch.manual_seed(seed)
        try:
            yield
        finally:
            torch.use_deterministic_algorithms(was_deterministic)
            torch.set_num_threads(threads)


def split(num: int, test_fraction: float, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Disjoint train/test indices from a seeded permutation."""
    order = torch.randperm(num, generator=torch.Generator().manual_seed(seed))
    num_test = round(num * test_fraction)
    return order[num_test:], order[:num_test]


def train_digits04(*, epochs: int = 12, batch_size: int = 64, lr: float = 0.05, seed: int = 0):
    """Train DigitsCNN on 80% of the digits 0-4; returns (model, held-out accuracy, sizes)."""
    x, y = load_digits_tensors(labels=LABELS)
    x = W.DigitsClassification()(x)  # the same preprocessing as weights.transforms()
    train_idx, test_idx = split(len(x), 0.2, seed)
    model = W.DigitsCNN(num_classes=len(LABELS))
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=5e-4)
    steps = epochs * -(-len(train_idx) // batch_size)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=steps)
    loss_fn = nn.CrossEntropyLoss()
    shuffle = torch.Generator().manual_seed(seed + 1)
    model.train()
    for _ in range(epochs):
        perm = train_idx[torch.randperm(len(train_idx), generator=shuffle)]
        for start in range(0, len(perm), batch_size):
            batch = perm[start : start + batch_size]
            optimizer.zero_grad()
            loss_fn(model(x[batch]), y[batch]).backward()
            optimizer.step()
            scheduler.step()
    model.eval()
    with torch.no_grad():
        accuracy = (model(x[test_idx]).argmax(1) == y[test_idx]).double().mean().item()
    return model, accuracy, len(train_idx), len(test_idx)


def build(out_dir: str | Path = W.WEIGHTS_DIR, *, seed: int = 0, epochs: int = 12) -> BuildResult:
    """Train deterministically and write the weights file and its ``.sha256``; see the module doc."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with deterministic_cpu(seed):
        model, accuracy, num_train, num_test = train_digits04(epochs=epochs, seed=seed)
    path = out_dir / W.DIGITS04_FILENAME
    state = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}
    torch.save(state, path)
    sha = W.sha256_of(path)
    path.with_name(path.name + ".sha256").write_text(f"{sha}  {path.name}\n")
    return BuildResult(path, sha, round(accuracy, 4), num_train, num_test)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  python data/make_pretrained_digits.py\n"
        "  python data/make_pretrained_digits.py --out-dir /tmp/w --check",
    )
    defaults = build.__kwdefaults__
    parser.add_argument("--out-dir", type=Path, default=W.WEIGHTS_DIR, help="default: %(default)s")
    parser.add_argument("--seed", type=int, default=defaults["seed"], help="default: %(default)s")
    parser.add_argument(
        "--epochs", type=int, default=defaults["epochs"], help="default: %(default)s"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="fail if the SHA-256 or accuracy differ from weights.py's",
    )
    args = parser.parse_args(argv)

    result = build(args.out_dir, seed=args.seed, epochs=args.epochs)
    print(f"wrote {result.path} ({result.path.stat().st_size / 1024:.0f} KB)")
    print(f"held-out accuracy on the digits 0-4: {result.accuracy:.4f} ({result.num_test} images)")
    print(f"DIGITS04_SHA256 = {result.sha256!r}")
    print(f"DIGITS04_ACCURACY = {result.accuracy!r}")
    same_sha = result.sha256 == W.DIGITS04_SHA256
    same_acc = abs(result.accuracy - W.DIGITS04_ACCURACY) < 1e-9
    if same_sha and same_acc:
        print("matches cs231n_tools/weights.py")
        return 0
    print(
        "differs from cs231n_tools/weights.py: update DIGITS04_SHA256 / DIGITS04_ACCURACY there to ship this build"
    )
    return 1 if args.check else 0


if __name__ == "__main__":
    sys.exit(main())
