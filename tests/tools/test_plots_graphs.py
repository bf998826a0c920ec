import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
import torch  # noqa: E402

from cs231n_tools import graphs  # noqa: E402
from cs231n_tools.plots import plot_flops, plot_losses  # noqa: E402


def test_plot_losses_one_and_many_curves():
    ax = plot_losses([3.0, 2.0, 1.0])
    assert len(ax.lines) == 1 and list(ax.lines[0].get_ydata()) == [3.0, 2.0, 1.0]
    ax = plot_losses({"sgd": [1, 0.5], "adam": [1, 0.2]}, logy=True)
    assert len(ax.lines) == 2 and ax.get_yscale() == "log"
    with pytest.raises(ValueError):
        plot_losses({})


def test_plot_flops_draws_achieved_and_peak():
    ax = plot_flops([64, 128], {"cpu": [1e9, 2e9]}, {"cpu": 1e11})
    ys = [list(line.get_ydata()) for line in ax.lines]
    assert [1.0, 2.0] in ys and [100.0, 100.0] in ys
    with pytest.raises(ValueError, match="2 sizes"):
        plot_flops([64, 128], {"cpu": [1e9]})


def _graph():
    w = torch.randn(3, requires_grad=True)
    return (w * 2).sum(), w


def test_draw_graph_text_fallback_without_dot(monkeypatch, capsys):
    monkeypatch.setattr(graphs.shutil, "which", lambda name: None)
    out, w = _graph()
    g = graphs.draw_graph(out, {"w": w})
    assert isinstance(g, graphs.TextGraph)
    assert graphs.NO_DOT in capsys.readouterr().out
    text = str(g)
    assert "SumBackward0" in text and "MulBackward0" in text
    assert len(g.edges) >= 2


def test_draw_graph_picture_when_dot_present(monkeypatch):
    monkeypatch.setattr(graphs.shutil, "which", lambda name: "/usr/bin/dot")
    out, w = _graph()
    g = graphs.draw_graph(out, {"w": w})
    assert "SumBackward0" in g.source


def test_draw_graph_rejects_tensor_without_graph():
    with pytest.raises(ValueError, match="no grad_fn"):
        graphs.draw_graph(torch.ones(2))
    with pytest.raises(TypeError):
        graphs.draw_graph([1, 2])
