"""Reproducible random numbers: one call seeds Python, NumPy and torch (CPU and CUDA)."""

from __future__ import annotations

import random

import numpy as np
import torch


def set_seed(seed: int = 0) -> torch.Generator:
    """Seed ``random``, NumPy and torch (every device) and return a CPU ``torch.Generator``
    seeded the same way, for APIs that take one (``random_split``, ``DataLoader``)."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
    return torch.Generator().manual_seed(seed)
