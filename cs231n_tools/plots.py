"""Plots the notebooks share: loss curves, achieved-vs-peak FLOP/s (01_tensors) and the
scalars of TensorBoard event files read back without TensorBoard's server (04_modules, 05)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

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
            raise ValueError(
                f"plot_flops: {label!r} has {len(values)} values for {len(sizes)} sizes"
            )
        (line,) = ax.plot(sizes, [v / 1e9 for v in values], marker="o", label=f"{label} achieved")
        if peak and label in peak:
            ax.axhline(
                peak[label] / 1e9, linestyle="--", color=line.get_color(), label=f"{label} peak"
            )
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("n (n x n x n product)")
    ax.set_ylabel("GFLOP/s")
    ax.set_title(title)
    ax.legend()
    return ax


EVENT_FILE_GLOB = "events.out.tfevents.*"
NO_EVENTS = (
    "no TensorBoard event files ({pattern}) in {log_dir} or its subfolders: write some with "
    "torch.utils.tensorboard.SummaryWriter(log_dir) and close (or flush) the writer first"
)
NO_TAGS = (
    "no scalar tag {missing} in the event files under {log_dir}; the scalar tags there are {found}"
)


def _run_dirs(log_dir: Path) -> list[Path]:
    """The folders at or below ``log_dir`` that hold event files (one TensorBoard run each)."""
    return sorted({f.parent for f in log_dir.rglob(EVENT_FILE_GLOB) if f.is_file()})


def plot_tensorboard_scalars(log_dir, tags=None, ax=None):
    """Plot the scalars that TensorBoard would show for ``log_dir``; returns the matplotlib Axes.

    ``log_dir`` is one run's folder or a folder of runs (every folder at or below it that holds
    event files is a run, as for ``tensorboard --logdir``). ``tags`` (a tag or a list of tags)
    selects scalar tags, default: every scalar tag found. One line per (run, tag), value against
    step, labelled by run (and tag when there are several). The files are read with TensorBoard's
    ``EventAccumulator``; TensorFlow is never imported. Raises ``FileNotFoundError`` when there is
    no event file and ``ValueError`` when none of ``tags`` was logged. Taught in 04_modules.
    """
    from cs231n_tools.notebook import keep_tensorflow_out_of_tensorboard

    keep_tensorflow_out_of_tensorboard()  # before TensorBoard resolves tensorboard.compat.tf
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    log_dir = Path(log_dir)
    runs = _run_dirs(log_dir) if log_dir.is_dir() else []
    if not runs:
        raise FileNotFoundError(NO_EVENTS.format(pattern=EVENT_FILE_GLOB, log_dir=log_dir))
    wanted = [tags] if isinstance(tags, str) else (None if tags is None else list(tags))

    series = []  # (run label, tag, steps, values)
    found: set[str] = set()
    for run in runs:
        events = EventAccumulator(str(run), size_guidance={"scalars": 0})  # 0: keep every point
        events.Reload()
        run_tags = events.Tags()["scalars"]
        found.update(run_tags)
        label = run.relative_to(log_dir).as_posix() if run != log_dir else log_dir.name
        for tag in run_tags if wanted is None else [t for t in wanted if t in run_tags]:
            points = events.Scalars(tag)
            series.append((label, tag, [p.step for p in points], [p.value for p in points]))
    if not series:
        missing = ", ".join(repr(t) for t in wanted) if wanted else "at all"
        raise ValueError(
            NO_TAGS.format(missing=missing, log_dir=log_dir, found=sorted(found) or "none")
        )

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    several_runs = len({s[0] for s in series}) > 1
    several_tags = len({s[1] for s in series}) > 1
    for run_label, tag, steps, values in series:
        parts = ([run_label] if several_runs or not several_tags else []) + (
            [tag] if several_tags else []
        )
        ax.plot(steps, values, label=": ".join(parts))
    ax.set_xlabel("step")
    ax.set_ylabel(series[0][1] if not several_tags else "value")
    ax.set_title(f"TensorBoard scalars in {log_dir.name}")
    if len(series) > 1:
        ax.legend()
    return ax
