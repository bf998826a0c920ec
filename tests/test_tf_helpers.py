"""cs231n_tools.tf: the TensorFlow helpers of 08_tf2_gradienttape (skipped without TensorFlow).

TensorFlow is imported through ``cs231n_tools.tf``, never directly: that module loads Triton
first, so a later ``torch.optim`` / ``torch.compile`` in the same pytest process cannot crash it.
"""

from __future__ import annotations

import importlib.util
import logging
import subprocess
import sys

import numpy as np
import pytest
import torch

if importlib.util.find_spec("tensorflow") is None:
    pytest.skip("TensorFlow is not installed (pip install -e '.[tf]')", allow_module_level=True)

from cs231n_tools import tf as tft  # noqa: E402

tf = tft.tf


def test_to_numpy64_accepts_every_kind_of_array():
    expected = np.array([[1.5, -2.0]], dtype=np.float64)
    for value in (
        tf.constant([[1.5, -2.0]], dtype=tf.float32),
        tf.Variable([[1.5, -2.0]], dtype=tf.float64),
        torch.tensor([[1.5, -2.0]], dtype=torch.float32, requires_grad=True),
        np.array([[1.5, -2.0]], dtype=np.float16),
        [[1.5, -2.0]],
    ):
        out = tft.to_numpy64(value)
        assert out.dtype == np.float64, type(value)
        np.testing.assert_array_equal(out, expected)
    assert tft.to_numpy64(3).shape == ()


def test_check_tf_tensor_passes_on_equal_values_from_torch():
    t = torch.randn(3, 4, dtype=torch.float64)
    tft.check_tf_tensor(tf.constant(t.numpy()), t, name="x", dtype=tf.float64)
    tft.check_tf_tensor(tf.Variable(t.numpy()), t.numpy())  # Variables and arrays too


def test_check_tf_tensor_uses_the_dtypes_tolerance():
    ref = np.linspace(1, 2, 5)
    tft.check_tf_tensor(tf.constant(ref * (1 + 1e-6), tf.float32), ref, dtype=tf.float32)
    with pytest.raises(AssertionError, match="5 of 5 values differ"):
        tft.check_tf_tensor(tf.constant(ref * (1 + 1e-6)), ref, dtype=tf.float64)


@pytest.mark.parametrize(
    ("actual", "expected", "kwargs", "message"),
    [
        (np.zeros(3), np.zeros(3), {}, "grad: expected a TensorFlow tensor, got ndarray"),
        (tf.zeros((2, 3)), np.zeros((3, 2)), {}, r"grad: shape \(2, 3\), expected \(3, 2\)"),
        (tf.zeros(3), np.zeros(3), {"dtype": tf.float64}, "grad: dtype float32, expected float64"),
        (tf.constant([1.0, np.nan]), np.array([1.0, 2.0]), {}, "grad: NaNs in different places"),
        (
            tf.constant([1.0, 2.5]),
            np.array([1.0, 2.0]),
            {},
            r"grad: 1 of 2 values differ \(max abs difference 0.5",
        ),
    ],
)
def test_check_tf_tensor_says_what_differs(actual, expected, kwargs, message):
    with pytest.raises(AssertionError, match=message):
        tft.check_tf_tensor(actual, expected, name="grad", **kwargs)


def test_check_tf_tensor_needs_both_tolerances():
    with pytest.raises(ValueError, match="both rtol and atol"):
        tft.check_tf_tensor(tf.zeros(2), np.zeros(2), rtol=1e-3)


def test_graph_op_types_sees_a_conditional():
    @tf.function
    def branchy(x):
        return tf.cond(tf.reduce_sum(x) > 0, lambda: x * 2.0, lambda: -x)

    @tf.function
    def selecty(x):
        return tf.where(tf.reduce_sum(x) > 0, x * 2.0, -x)

    assert tft.graph_op_types(branchy, tf.ones(3)) & {"If", "StatelessIf"}
    ops = tft.graph_op_types(selecty, tf.ones(3))
    assert not ops & {"If", "StatelessIf"} and "SelectV2" in ops


def test_graph_op_types_needs_a_tf_function():
    with pytest.raises(TypeError, match="needs a tf.function, got function"):
        tft.graph_op_types(lambda x: x, tf.ones(1))


def test_quiet_tensorflow_turns_python_side_logs_down():
    tft.quiet_tensorflow()
    assert tf.get_logger().level == logging.ERROR
    from absl import logging as absl_logging

    assert absl_logging.get_verbosity() == absl_logging.ERROR


def test_share_gpu_lists_what_tensorflow_sees():
    names = tft.share_gpu()
    assert names == [d.name for d in tf.config.list_physical_devices("GPU")]


@pytest.mark.slow
def test_torch_optimizers_still_work_after_tensorflow_in_a_fresh_process():
    """The crash load_triton_first prevents: torch.optim (which imports torch._dynamo and Triton)
    after TensorFlow, in one process. Run in a subprocess: a segfault must not take pytest down."""
    code = (
        "from cs231n_tools.tf import tf\n"
        "import torch\n"
        "p = torch.zeros(2, requires_grad=True)\n"
        "opt = torch.optim.SGD([p], lr=0.5)\n"
        "p.sum().backward(); opt.step()\n"
        "print(p.tolist(), tf.reduce_sum(tf.ones(2)).numpy())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "[-0.5, -0.5] 2.0" in result.stdout
