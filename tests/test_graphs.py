"""cs231n_tools.graphs: the DOT parser, the text fallback and the matplotlib picture (fast)."""

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
import torch  # noqa: E402

from cs231n_tools import graphs  # noqa: E402


def reference_count(t: torch.Tensor) -> int:
    """course-spec's count_graph_nodes: distinct nodes reachable from t.grad_fn."""
    seen, todo = {}, [t.grad_fn]
    while todo:
        node = todo.pop()
        if node is None or id(node) in seen:
            continue
        seen[id(node)] = node
        todo.extend(fn for fn, _ in node.next_functions)
    return len(seen)


class Exp(torch.autograd.Function):
    """Saves its output, as 03's Sigmoid does."""

    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return y * grad


def _graphs():
    """(description, output, params) for graphs of several shapes."""
    w = torch.randn(3, requires_grad=True)
    v = torch.randn(3, 2, requires_grad=True)
    c = torch.randn(4, 3)
    b = w * 3
    ladder = w * 1.5
    for _ in range(4):
        ladder = ladder.sin() + ladder.cos()
    return [
        ("(w * 2).sum()", (w * 2).sum(), {"w": w}),
        ("diamond", (b.sin() + b.cos()).sum(), {"w": w}),
        (
            "two leaves, one used twice",
            ((c @ v).relu() @ torch.ones(2)).sum() + v.pow(2).sum(),
            {"v": v},
        ),
        ("ladder", ladder.sum(), {}),
        ("custom Function", Exp.apply(w).sum(), {"w": w}),
        ("view output", (w * 2)[1:], {"w": w}),
    ]


@pytest.mark.parametrize("case", range(6))
def test_text_graph_counts_autograd_nodes_as_count_graph_nodes(case):
    name, out, params = _graphs()[case]
    g = graphs.draw_graph(out, params, text=True)
    assert len(g.nodes) == reference_count(out), f"{name}: {sorted(g.nodes.values())}"
    assert f"{reference_count(out)} autograd nodes" in str(g).splitlines()[0]
    assert set(g.nodes).isdisjoint(g.tensors)
    assert all(src in g.nodes or src in g.tensors for edge in g.edges for src in edge)


def test_multi_line_labels_are_kept():
    w1 = torch.randn(4, 3, requires_grad=True)
    out = (w1 * 2).sum()
    g = graphs.draw_graph(out, {"w1": w1}, text=True)
    assert sorted(g.tensors.values()) == ["()", "w1\n(4, 3)"]
    assert sorted(g.tensor_kinds.values()) == ["leaf", "output"]
    assert sorted(g.nodes.values()) == ["AccumulateGrad", "MulBackward0", "SumBackward0"]
    text = str(g)
    assert "leaf tensor w1 (4, 3)  ->  AccumulateGrad" in text
    assert "SumBackward0  ->  output tensor ()" in text
    # read in forward order: the leaf's edge first, the output's last
    assert (
        text.splitlines()[1].startswith("  leaf tensor w1")
        and "output tensor" in text.splitlines()[-1]
    )


def test_saved_tensors_of_a_custom_function_are_tensors_with_plain_edges():
    x = torch.randn(5, requires_grad=True)
    g = graphs.draw_graph(Exp.apply(x), {"x": x}, text=True)
    assert sorted(g.tensor_kinds.values()) == ["leaf", "output", "saved"]
    saved = next(n for n, kind in g.tensor_kinds.items() if kind == "saved")
    assert any(saved in edge for edge in g.plain_edges)
    assert "saved tensor (5)  --  ExpBackward" in str(g)


def test_from_dot_parses_quotes_escapes_and_semicolons():
    source = (
        'digraph {\n\tnode [shape=box]\n\ta [label="first\\nsecond" fillcolor=lightblue];'
        ' b [label="say \\"hi\\""]\n\tc [label=\n"multi\nline"]\n\ta -> b; b -> c [dir=none]\n'
        "\td [label=<html>]\n}\n"
    )
    g = graphs.TextGraph.from_dot(source)
    assert g.tensors == {"a": "first\nsecond"} and g.tensor_kinds == {"a": "leaf"}
    assert g.nodes == {"b": 'say "hi"', "c": "multi\nline", "d": "html"}
    assert g.edges == [("a", "b"), ("b", "c")] and g.plain_edges == {("b", "c")}


def test_layout_puts_leaves_above_and_the_output_at_the_bottom():
    name, out, params = _graphs()[2]
    g = graphs.draw_graph(out, params, text=True)
    pos = graphs.layout(g)
    assert set(pos) == set(g.nodes) | set(g.tensors)
    assert len(set(pos.values())) == len(pos), "two boxes share a position"
    output = next(n for n, kind in g.tensor_kinds.items() if kind == "output")
    assert pos[output][1] == 0
    for src, dst in g.edges:
        assert pos[src][1] > pos[dst][1], f"edge {g.label(src)} -> {g.label(dst)} does not go down"


def test_picture_without_dot_is_drawn_with_matplotlib(monkeypatch, capsys):
    monkeypatch.setattr(graphs.shutil, "which", lambda name: None)
    w = torch.randn(3, requires_grad=True)
    out = (w.exp() * 2).sum()
    g = graphs.draw_graph(out, {"w": w})
    assert isinstance(g, graphs.GraphPicture)
    assert graphs.NO_DOT in capsys.readouterr().out
    png = g._repr_png_()
    assert png.startswith(b"\x89PNG") and len(png) > 2000
    fig = g.figure()
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"ExpBackward0", "MulBackward0", "SumBackward0", "AccumulateGrad", "w\n(3)"} <= texts
    arrows = [t for t in fig.axes[0].texts if getattr(t, "arrow_patch", None) is not None]
    assert len(arrows) == len(g.edges)
    assert len(g.nodes) == reference_count(out)


def test_text_is_only_text_and_prints_nothing(monkeypatch, capsys):
    monkeypatch.setattr(graphs.shutil, "which", lambda name: None)
    w = torch.randn(3, requires_grad=True)
    g = graphs.draw_graph((w * 2).sum(), {"w": w}, text=True)
    assert type(g) is graphs.TextGraph and not hasattr(g, "_repr_png_")
    assert capsys.readouterr().out == ""


def test_graphviz_picture_when_dot_is_installed(monkeypatch):
    monkeypatch.setattr(graphs.shutil, "which", lambda name: "/usr/bin/dot")
    w = torch.randn(3, requires_grad=True)
    g = graphs.draw_graph((w * 2).sum(), {"w": w})
    assert "SumBackward0" in g.source and hasattr(g, "pipe")


def test_nodes_that_share_a_label_are_numbered_in_the_text():
    x, y = torch.randn(6, 5), torch.randn(6, 2)
    w1 = torch.randn(5, 4, requires_grad=True)
    w2 = torch.randn(4, 2, requires_grad=True)
    loss = ((x @ w1).clamp(min=0) @ w2 - y).pow(2).sum()
    text = str(graphs.draw_graph(loss, {"w1": w1, "w2": w2}, text=True))
    assert text.splitlines()[0].startswith("8 autograd nodes")
    assert "leaf tensor w1 (5, 4)  ->  AccumulateGrad #1" in text
    assert "AccumulateGrad #1  ->  MmBackward0 #1" in text
    assert "ClampBackward1  ->  MmBackward0 #2" in text
