"""Pictures of autograd graphs (02_autograd, 03_custom_function).

``draw_graph(loss)`` returns a ``graphviz.Digraph`` (drawn inline by Jupyter) made by torchviz.
Drawing needs the Graphviz program ``dot``; without it you get a :class:`TextGraph` instead,
built from the same graph description, plus one message that says how to install Graphviz.
"""

from __future__ import annotations

import re
import shutil
import warnings
from dataclasses import dataclass, field

import torch

NO_DOT = (
    "Graphviz's 'dot' program is not installed, so the graph is shown as text. "
    "To get pictures: 'sudo apt-get install graphviz' (Debian/Ubuntu), "
    "'brew install graphviz' (macOS) or 'conda install graphviz'."
)

_EDGE = re.compile(r"^\s*(\w+)\s*->\s*(\w+)")


@dataclass
class TextGraph:
    """A graph as text: node labels and edges (``source -> target``), from DOT source."""

    nodes: dict[str, str] = field(default_factory=dict)
    edges: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def from_dot(cls, source: str) -> "TextGraph":
        graph = cls()
        for line in source.splitlines():
            edge = _EDGE.match(line)
            if edge:
                graph.edges.append((edge.group(1), edge.group(2)))
                continue
            if "[" in line and "label=" in line:
                name = line.strip().split()[0]
                label = line.split("label=", 1)[1]
                if label.startswith('"'):
                    label = label[1:].split('"', 1)[0]
                else:
                    label = re.split(r"[\s\]]", label, maxsplit=1)[0]
                graph.nodes[name] = label.replace("\\n", " ").strip()
        return graph

    def __str__(self) -> str:
        lines = [f"{len(self.nodes)} nodes, {len(self.edges)} edges"]
        for src, dst in self.edges:
            lines.append(f"  {self.nodes.get(src, src)}  ->  {self.nodes.get(dst, dst)}")
        return "\n".join(lines)

    def _repr_pretty_(self, printer, cycle) -> None:  # IPython display
        printer.text(str(self))


def has_dot() -> bool:
    """True when Graphviz's ``dot`` program is on PATH."""
    return shutil.which("dot") is not None


def draw_graph(output: torch.Tensor, params: dict[str, torch.Tensor] | None = None, *, text: bool | None = None):
    """A drawing of the autograd graph that produced ``output``.

    ``params`` names leaf tensors (``{"w1": w1}``) so they are labelled. Returns a
    ``graphviz.Digraph`` when ``dot`` is installed, else (or with ``text=True``) a
    :class:`TextGraph`, printing :data:`NO_DOT` once.
    """
    if not isinstance(output, torch.Tensor):
        raise TypeError(f"draw_graph needs a tensor, got {type(output).__name__}")
    if output.grad_fn is None:
        raise ValueError(
            "draw_graph: this tensor has no grad_fn, so there is no graph to draw. "
            "Did it come from tensors with requires_grad=True, outside torch.no_grad()?"
        )
    with warnings.catch_warnings():
        # torchviz 0.0.3 compares versions with distutils' LooseVersion (DeprecationWarning).
        warnings.simplefilter("ignore", DeprecationWarning)
        from torchviz import make_dot

        dot = make_dot(output, params=params or {})
    if text is None:
        text = not has_dot()
        if text:
            print(NO_DOT)
    return TextGraph.from_dot(dot.source) if text else dot
