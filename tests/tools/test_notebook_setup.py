import subprocess
import sys
import textwrap


def run(code: str):
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=240
    )


def test_warnings_go_to_stdout_not_stderr():
    result = run(
        """
        import warnings
        from cs231n_tools.notebook import setup_notebook
        setup_notebook()
        warnings.warn("student warning", UserWarning)
        import torch
        torch.jit.script(torch.nn.Linear(2, 2))
        """
    )
    assert result.returncode == 0, result.stderr
    assert "student warning" in result.stdout
    assert "torch.jit.script` is deprecated" in result.stdout
    assert "warn" not in result.stderr.lower(), result.stderr


def test_tensorboard_writer_does_not_import_tensorflow(tmp_path):
    result = run(
        f"""
        import sys
        from cs231n_tools.notebook import setup_notebook
        setup_notebook()
        import torch
        from torch.utils.tensorboard import SummaryWriter
        with SummaryWriter({str(tmp_path)!r}) as w:
            w.add_scalar("loss", 1.0, 0)
            w.add_graph(torch.nn.Linear(2, 3), torch.randn(1, 2))
        print("TF", "tensorflow" in sys.modules)
        """
    )
    assert result.returncode == 0, result.stderr
    assert "TF False" in result.stdout
    assert result.stderr.strip() == "", result.stderr
    assert list(tmp_path.glob("events.out.tfevents.*"))
