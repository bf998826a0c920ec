"""cs231n_tools.plots.plot_tensorboard_scalars: TensorBoard's scalars read back and plotted
(04_modules, 05_dataloader), without TensorFlow."""

import subprocess
import sys
import textwrap

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from cs231n_tools.notebook import keep_tensorflow_out_of_tensorboard  # noqa: E402
from cs231n_tools.plots import plot_tensorboard_scalars  # noqa: E402

keep_tensorflow_out_of_tensorboard()  # before the first SummaryWriter of this process
from torch.utils.tensorboard import SummaryWriter  # noqa: E402


def _log(folder, scalars):
    """scalars: tag -> list of values, logged at steps 0..n-1."""
    with SummaryWriter(str(folder)) as writer:
        for tag, values in scalars.items():
            for step, value in enumerate(values):
                writer.add_scalar(tag, value, step)


def _lines(ax):
    return {line.get_label(): (list(line.get_xdata()), list(line.get_ydata())) for line in ax.lines}


def test_one_run_one_tag(tmp_path):
    _log(tmp_path, {"loss": [3.0, 2.0, 1.5]})
    ax = plot_tensorboard_scalars(tmp_path)
    assert list(_lines(ax).values()) == [([0, 1, 2], [3.0, 2.0, 1.5])]
    assert ax.get_xlabel() == "step" and ax.get_ylabel() == "loss"


def test_folder_of_runs_and_tag_selection(tmp_path):
    _log(tmp_path / "sgd", {"loss": [1.0, 0.5], "lr": [0.1, 0.1]})
    _log(tmp_path / "adam", {"loss": [1.0, 0.25]})
    lines = _lines(plot_tensorboard_scalars(tmp_path, tags=["loss"]))
    assert lines == {"adam": ([0, 1], [1.0, 0.25]), "sgd": ([0, 1], [1.0, 0.5])}
    lines = _lines(plot_tensorboard_scalars(tmp_path, tags="lr"))
    assert lines == {"sgd": ([0, 1], [pytest.approx(0.1), pytest.approx(0.1)])}
    lines = _lines(plot_tensorboard_scalars(tmp_path))
    assert sorted(lines) == ["adam: loss", "sgd: loss", "sgd: lr"]


def test_draws_on_the_given_axes(tmp_path):
    import matplotlib.pyplot as plt

    _log(tmp_path, {"loss": [1.0]})
    _, ax = plt.subplots()
    assert plot_tensorboard_scalars(tmp_path, ax=ax) is ax and len(ax.lines) == 1


def test_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no TensorBoard event files.*SummaryWriter"):
        plot_tensorboard_scalars(tmp_path)
    with pytest.raises(FileNotFoundError, match="no TensorBoard event files"):
        plot_tensorboard_scalars(tmp_path / "missing")
    _log(tmp_path, {"loss": [1.0]})
    with pytest.raises(ValueError, match=r"no scalar tag 'acc'.*\['loss'\]"):
        plot_tensorboard_scalars(tmp_path, tags=["acc"])


def test_never_imports_tensorflow(tmp_path):
    """In a fresh process where TensorFlow is installed, reading events would import it unless
    the helper switches TensorBoard to its stub first."""
    _log(tmp_path, {"loss": [1.0]})
    code = textwrap.dedent(
        f"""
        import sys
        import matplotlib
        matplotlib.use("Agg")
        from cs231n_tools.plots import plot_tensorboard_scalars
        ax = plot_tensorboard_scalars({str(tmp_path)!r})
        print(len(ax.lines), "tensorflow" in sys.modules)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split()[-2:] == ["1", "False"], out.stdout + out.stderr
