"""Plots the notebooks share: loss curves and achieved-vs-peak FLOP/s (01_tensors)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt


def plot_losses(curves, *, ax=None, logy: bool = False, title: str = "Training loss"):
    """Plot one loss curve (a sequence) or several (a mapping label -> sequence); returns the Axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    if isinstance(curves, Mapping):
        items = list(curves.items())
    else:
        items = [("loss", curves)]
    if not items:
        raise ValueError("plot_losses needs at least one curve")
    for label, values in items:
        values = [float(v) for v in values]
        ax.plot(range(len(values)), values, label=str(label))
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_title(title)
    if logy:
        ax.set_yscale("log")
    if len(items) > 1:
        ax.legend()
    return ax


def plot_flops(
    sizes: Sequence[int],
    achieved: Mapping[str, Sequence[float]],
    peak: Mapping[str, float] | None = None,
    *,
    ax=None,
    title: str = "Matrix multiply throughput",
):
    """Achieved FLOP/s per matrix size for each device, with dashed peak lines; returns the Axes.

    ``achieved`` maps a device label to one FLOP/s value per size; ``peak`` maps the same labels
    to a theoretical peak in FLOP/s. The y axis is logarithmic, in GFLOP/s.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    for label, values in achieved.items():
        if len(values) != len(sizes):
            raise ValueError(f"plot_flops: {label!r} has {len(values)} values for {len(sizes)} sizes")
        (line,) = ax.plot(sizes, [v / 1e9 for v in values], marker="o", label=f"{label} achieved")
        if peak and label in peak:
            ax.axhline(peak[label] / 1e9, linestyle="--", color=line.get_color(), label=f"{label} peak")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("n (n x n x n product)")
    ax.set_ylabel("GFLOP/s")
    ax.set_title(title)
    ax.legend()
    return ax
