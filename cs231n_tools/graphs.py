"""Pictures of autograd graphs (02_autograd, 03_custom_function, 07_jit).

``draw_graph(loss)`` describes the autograd graph behind ``loss`` with torchviz and returns

- a ``graphviz.Digraph`` (drawn inline by Jupyter) when Graphviz's ``dot`` program is installed;
- otherwise a :class:`GraphPicture`: the same graph drawn with matplotlib in pure Python
  (a layered top-to-bottom layout, torchviz's colours), shown inline by Jupyter as a PNG and
  as text in a plain terminal;
- with ``text=True``, a :class:`TextGraph`: the graph as text (labels and edges).

Both fallbacks parse torchviz's DOT source, so they show the same boxes as the Graphviz picture:
grey autograd nodes (backward functions, ``AccumulateGrad`` included) and coloured tensors
(blue: leaves that require grad, green: the output, orange: saved tensors). ``graph.nodes`` holds
the autograd nodes only, so ``len(graph.nodes)`` is the number 02's ``count_graph_nodes`` counts;
the tensor boxes are in ``graph.tensors``.
"""

from __future__ import annotations

import io
import re
import shutil
import warnings
from dataclasses import dataclass, field

import torch

NO_DOT = (
    "Graphviz's 'dot' program is not installed, so the graph is drawn with matplotlib "
    "(a simpler layout). For torchviz's Graphviz pictures: 'sudo apt-get install graphviz' "
    "(Debian/Ubuntu), 'brew install graphviz' (macOS) or 'conda install graphviz'."
)

# torchviz's fill colours: which tensor each colour marks, and the matplotlib colour to draw it.
TENSOR_KINDS = {
    "lightblue": "leaf",
    "orange": "saved",
    "darkolivegreen1": "output",
    "darkolivegreen3": "base of the output view",
}
COLOURS = {
    "lightblue": "#add8e6",
    "orange": "#ffa500",
    "darkolivegreen1": "#caff70",
    "darkolivegreen3": "#a2cd5a",
    None: "#d3d3d3",  # Graphviz's default fill: light grey (autograd nodes)
}

# One DOT token: a quoted string (with escapes), an HTML-like <...> string, an arrow, a bare ID,
# or a punctuation character.
_TOKEN = re.compile(
    r'"(?P<quoted>(?:[^"\\]|\\.)*)"'
    r"|<(?P<html>[^<>]*)>"
    r"|(?P<arrow>->|--)"
    r"|(?P<id>[A-Za-z0-9_.\-]+)"
    r"|(?P<punct>[\[\]{}=;,])"
    r"|(?P<space>\s+)",
    re.S,
)


def _tokens(source: str):
    """(kind, text) pairs of a DOT source; quoted strings come back unquoted and unescaped."""
    pos = 0
    while pos < len(source):
        m = _TOKEN.match(source, pos)
        if m is None:  # a character DOT does not use here: skip it
            pos += 1
            continue
        pos = m.end()
        kind = m.lastgroup
        if kind == "space":
            if "\n" in m.group(kind):
                yield "newline", "\n"
            continue
        text = m.group(kind)
        if kind == "quoted":
            # Graphviz's line breaks (\n, \l, \r) and real newlines both end a label line.
            text = re.sub(r"\\([nlr])", "\n", text).replace('\\"', '"').replace("\\\\", "\\")
            kind = "id"
        elif kind == "html":
            kind = "id"
        yield kind, text


def _statements(source: str):
    """Split a DOT source into statements (lists of tokens): a statement ends at ';', at a brace
    or at a line break outside quotes and brackets (a quoted label may span several lines)."""
    statement: list[tuple[str, str]] = []
    depth = 0
    for kind, text in _tokens(source):
        if kind == "punct" and text == "[":
            depth += 1
        elif kind == "punct" and text == "]":
            depth -= 1
        ends = (kind == "punct" and text in "{};") or kind == "newline"
        if ends and depth <= 0:
            if statement:
                yield statement
            statement = []
            continue
        if kind != "newline":
            statement.append((kind, text))
    if statement:
        yield statement


def _attributes(tokens: list[tuple[str, str]]) -> dict[str, str]:
    attrs: dict[str, str] = {}
    texts = [t for _, t in tokens]
    i = 0
    while i < len(texts):
        if i + 2 < len(texts) and texts[i + 1] == "=":
            attrs[texts[i]] = texts[i + 2]
            i += 3
        else:
            i += 1
    return attrs


def _clean(label: str) -> str:
    """A torchviz label with its line structure kept, blank edges removed."""
    lines = [line.strip() for line in label.split("\n")]
    return "\n".join(line for line in lines if line)


@dataclass
class TextGraph:
    """The graph torchviz describes, as data and as text.

    ``nodes``: autograd nodes (backward functions and ``AccumulateGrad``), id -> label, so
    ``len(nodes)`` equals 02's ``count_graph_nodes`` of the drawn tensor. ``tensors``: the tensor
    boxes (leaves, the output, saved tensors), id -> label; ``tensor_kinds``: id -> "leaf",
    "output", "saved", ...; ``edges``: ``(source, target)`` in the direction of the forward
    pass (a leaf points to its AccumulateGrad node, the last backward node to the output);
    ``plain_edges``: the edges drawn without an arrow head (a node and a tensor it saved).
    Labels keep torchviz's line breaks (``"w1\\n(100, 50)"``).
    """

    nodes: dict[str, str] = field(default_factory=dict)
    tensors: dict[str, str] = field(default_factory=dict)
    tensor_kinds: dict[str, str] = field(default_factory=dict)
    fills: dict[str, str | None] = field(default_factory=dict)
    edges: list[tuple[str, str]] = field(default_factory=list)
    plain_edges: set[tuple[str, str]] = field(default_factory=set)

    @classmethod
    def from_dot(cls, source: str) -> TextGraph:
        """Parse a DOT source as torchviz writes it (labels may span several lines)."""
        labels: dict[str, str] = {}
        fills: dict[str, str | None] = {}
        graph = cls()
        for statement in _statements(source):
            kinds = [k for k, _ in statement]
            first = statement[0][1]
            if first in ("digraph", "graph", "strict", "node", "edge", "subgraph"):
                continue
            if "arrow" in kinds:
                head = kinds.index("arrow")
                src, dst = statement[head - 1][1], statement[head + 1][1]
                attrs = _attributes(statement[head + 2 :])
                for end in (src, dst):
                    labels.setdefault(end, end)
                    fills.setdefault(end, None)
                if (src, dst) not in graph.edges:
                    graph.edges.append((src, dst))
                if attrs.get("dir") == "none":
                    graph.plain_edges.add((src, dst))
                continue
            if kinds[0] == "id" and (len(statement) == 1 or statement[1][1] == "["):
                attrs = _attributes(statement[1:])
                labels[first] = _clean(attrs.get("label", labels.get(first, first)))
                # torchviz may declare a node twice; a fill colour, once given, stays.
                fills[first] = attrs.get("fillcolor", fills.get(first))
        for name, label in labels.items():
            fill = fills.get(name)
            graph.fills[name] = fill
            if fill is None:
                graph.nodes[name] = label
            else:
                graph.tensors[name] = label
                graph.tensor_kinds[name] = TENSOR_KINDS.get(fill, "tensor")
        return graph

    def label(self, name: str, *, sep: str = " ") -> str:
        """A node's label on one line (``sep`` between torchviz's lines); tensors say their kind."""
        if name in self.tensors:
            text = sep.join(self.tensors[name].split("\n"))
            return f"{self.tensor_kinds[name]} tensor {text}".strip()
        return sep.join(self.nodes.get(name, name).split("\n"))

    def ranks(self) -> dict[str, int]:
        """Layer of every node, counted from the bottom: the longest path to a sink (the output)."""
        names = list(self.nodes) + list(self.tensors)
        succ: dict[str, list[str]] = {n: [] for n in names}
        for src, dst in self.edges:
            succ.setdefault(src, []).append(dst)
            succ.setdefault(dst, [])
        rank: dict[str, int] = {}
        for start in succ:  # iterative DFS, post-order; a cycle (not in autograd) is cut
            if start in rank:
                continue
            stack, on_path = [(start, iter(succ[start]))], {start}
            while stack:
                node, children = stack[-1]
                child = next(children, None)
                if child is None:
                    rank[node] = max(
                        (rank.get(c, -1) + 1 for c in succ[node] if c not in on_path), default=0
                    )
                    on_path.discard(node)
                    stack.pop()
                elif child not in rank and child not in on_path:
                    on_path.add(child)
                    stack.append((child, iter(succ[child])))
        return rank

    def __str__(self) -> str:
        rank = self.ranks()
        order = sorted(range(len(self.edges)), key=lambda i: (-rank.get(self.edges[i][0], 0), i))
        # Nodes that share a label (two MmBackward0) get a number, top to bottom: "MmBackward0 #2".
        names = sorted(rank, key=lambda n: (-rank[n], n))
        shared: dict[str, list[str]] = {}
        for name in names:
            shared.setdefault(self.label(name), []).append(name)
        shown = {
            name: label + (f" #{same.index(name) + 1}" if len(same) > 1 else "")
            for label, same in shared.items()
            for name in same
        }
        lines = [
            f"{len(self.nodes)} autograd nodes (what count_graph_nodes counts), "
            f"{len(self.tensors)} tensors, {len(self.edges)} edges"
        ]
        for i in order:
            src, dst = self.edges[i]
            arrow = "--" if (src, dst) in self.plain_edges else "->"
            lines.append(f"  {shown.get(src, src)}  {arrow}  {shown.get(dst, dst)}")
        return "\n".join(lines)

    def _repr_pretty_(self, printer, cycle) -> None:  # IPython's text display
        printer.text(str(self))


def layout(graph: TextGraph, sweeps: int = 4) -> dict[str, tuple[float, float]]:
    """(x, y) of every node: y is the layer (leaves on top, the output at the bottom), x the
    slot in its layer, ordered by the barycentre of the neighbours to cut edge crossings."""
    rank = graph.ranks()
    layers: dict[int, list[str]] = {}
    for name in list(graph.tensors) + list(graph.nodes):
        layers.setdefault(rank.get(name, 0), []).append(name)
    for layer in layers.values():
        layer.sort()
    neighbours: dict[str, list[str]] = {n: [] for n in rank}
    for src, dst in graph.edges:
        neighbours.setdefault(src, []).append(dst)
        neighbours.setdefault(dst, []).append(src)
    top = max(layers, default=0)

    def slots() -> dict[str, float]:
        pos = {}
        for layer in layers.values():
            for i, name in enumerate(layer):
                pos[name] = i - (len(layer) - 1) / 2
        return pos

    x = slots()
    for sweep in range(sweeps):
        order = range(top, -1, -1) if sweep % 2 == 0 else range(top + 1)
        for r in order:
            layer = layers.get(r, [])

            def centre(name, layer=layer, x=x):
                near = [x[n] for n in neighbours.get(name, []) if n in x and n not in layer]
                return sum(near) / len(near) if near else x[name]

            layer.sort(key=centre)
            x = slots()
    return {name: (x[name], float(rank.get(name, 0))) for name in x}


class GraphPicture(TextGraph):
    """A :class:`TextGraph` that draws itself with matplotlib (no Graphviz needed).

    Jupyter shows it as a PNG (``_repr_png_``); ``str()`` and a terminal show the text;
    ``figure()`` returns the matplotlib Figure, ``draw(ax)`` draws onto an existing Axes.
    """

    def figure(self, dpi: int = 100):
        from matplotlib.figure import Figure

        pos = layout(self)
        widths = [max(len(line) for line in self.label(n, sep="\n").split("\n")) for n in pos]
        slot = 0.35 + 0.085 * max(widths, default=10)  # inches per slot, from the longest label
        span = max((v[0] for v in pos.values()), default=0) - min(
            (v[0] for v in pos.values()), default=0
        )
        height = max((v[1] for v in pos.values()), default=0)
        fig = Figure(figsize=(max(3.0, (span + 1) * slot), max(1.5, 0.75 * (height + 1))), dpi=dpi)
        ax = fig.add_axes((0, 0, 1, 1))
        self.draw(ax, pos=pos)
        return fig

    def draw(self, ax, pos: dict[str, tuple[float, float]] | None = None):
        """Draw the graph onto a matplotlib Axes; returns the Axes."""
        pos = layout(self) if pos is None else pos
        boxes = {}
        for name, (x, y) in pos.items():
            text = self.tensors.get(name, self.nodes.get(name, name)) or "tensor"
            boxes[name] = ax.text(
                x,
                y,
                text,
                ha="center",
                va="center",
                family="monospace",
                fontsize=8,
                bbox=dict(
                    boxstyle="round,pad=0.3",
                    fc=COLOURS.get(self.fills.get(name), "#d3d3d3"),
                    ec="#555555",
                ),
                zorder=3,
            )
        for src, dst in self.edges:
            if src not in pos or dst not in pos:
                continue
            plain = (src, dst) in self.plain_edges
            ax.annotate(
                "",
                xy=pos[dst],
                xytext=pos[src],
                arrowprops=dict(
                    arrowstyle="-" if plain else "-|>",
                    linestyle="--" if plain else "-",
                    color="#444444",
                    patchA=boxes[src].get_bbox_patch(),
                    patchB=boxes[dst].get_bbox_patch(),
                    shrinkA=1,
                    shrinkB=1,
                    mutation_scale=12,
                ),
                zorder=4,
            )
        xs = [p[0] for p in pos.values()] or [0.0]
        ys = [p[1] for p in pos.values()] or [0.0]
        ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
        ax.set_ylim(min(ys) - 0.5, max(ys) + 0.5)
        ax.set_axis_off()
        return ax

    def _repr_png_(self) -> bytes:  # Jupyter's rich display
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        fig = self.figure()
        FigureCanvasAgg(fig)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        return buffer.getvalue()


def has_dot() -> bool:
    """True when Graphviz's ``dot`` program is on PATH."""
    return shutil.which("dot") is not None


def draw_graph(
    output: torch.Tensor, params: dict[str, torch.Tensor] | None = None, *, text: bool | None = None
):
    """A drawing of the autograd graph that produced ``output``.

    ``params`` names leaf tensors (``{"w1": w1}``) so they are labelled. Returns a
    ``graphviz.Digraph`` when ``dot`` is installed, else a :class:`GraphPicture` drawn with
    matplotlib (printing :data:`NO_DOT`); with ``text=True`` a :class:`TextGraph`.
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
    if text:
        return TextGraph.from_dot(dot.source)
    if has_dot():
        return dot
    print(NO_DOT)
    return GraphPicture.from_dot(dot.source)
