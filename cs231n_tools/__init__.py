"""Helpers for the "Deep Learning Software" notebooks.

Small modules by topic; import what you use by name, for example
``from cs231n_tools.devices import try_gpu``. Nothing here holds an exercise's solution.

- :mod:`cs231n_tools.devices`   which device to compute on (``CS231N_DEVICE`` overrides)
- :mod:`cs231n_tools.seeding`   reproducible random numbers
- :mod:`cs231n_tools.timing`    wall-clock timing that synchronises CUDA
- :mod:`cs231n_tools.checks`    ``rel_error`` and the comparisons the tests share
- :mod:`cs231n_tools.plots`     loss curves, achieved-vs-peak FLOP/s, TensorBoard scalars read back
- :mod:`cs231n_tools.graphs`    pictures (or text) of autograd graphs
- :mod:`cs231n_tools.notebook`  the one-line set-up every notebook runs first
- :mod:`cs231n_tools.paths`     where data, weights and TensorBoard runs live
- :mod:`cs231n_tools.data`      the offline digits as an image folder; CIFAR-10 when downloaded
- :mod:`cs231n_tools.weights`   the course's pretrained digits CNN, torchvision-style weights
- :mod:`cs231n_tools.tf`        TensorFlow-only helpers (08 only; never imported by the others)

This module itself imports nothing heavy: ``import cs231n_tools`` does not import torch.
"""

__version__ = "0.1.0"
