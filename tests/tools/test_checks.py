import numpy as np
import pytest
import torch

from cs231n_tools.checks import check_tensor, rel_error


def test_rel_error_of_equal_and_different_values():
    x = torch.randn(5, 4, dtype=torch.float64)
    assert rel_error(x, x.clone()) == 0.0
    assert rel_error(x, 2 * x) == pytest.approx(1 / 3, rel=1e-6)
    assert rel_error(np.ones(3), torch.ones(3)) == 0.0
    assert rel_error(torch.tensor([]), torch.tensor([])) == 0.0


def test_rel_error_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match="shapes differ"):
        rel_error(torch.ones(2), torch.ones(3))


def test_check_tensor_accepts_close_values_per_dtype():
    for dtype in (torch.float32, torch.float64):
        x = torch.randn(3, 7, dtype=dtype)
        check_tensor(x + 1e-9 * x, x, name="x")


@pytest.mark.parametrize(
    ("actual", "expected", "message"),
    [
        (np.ones(3), torch.ones(3), "expected a torch.Tensor"),
        (torch.ones(3), torch.ones(4), "shape (3,), expected (4,)"),
        (torch.ones(3), torch.ones(3, dtype=torch.float64), "dtype torch.float32"),
        (torch.ones(3) * 2, torch.ones(3), "3 of 3 values differ"),
        (torch.tensor([1.0, float("nan")]), torch.tensor([1.0, 2.0]), "NaNs"),
    ],
)
def test_check_tensor_names_what_differs(actual, expected, message):
    with pytest.raises(AssertionError) as info:
        check_tensor(actual, expected, name="grad_w1")
    assert str(info.value).startswith("grad_w1: ")
    assert message in str(info.value)


def test_check_tensor_explicit_tolerances():
    check_tensor(torch.ones(2) * 1.01, torch.ones(2), rtol=0.02, atol=0.0)
    with pytest.raises(ValueError, match="both"):
        check_tensor(torch.ones(2), torch.ones(2), rtol=0.1)
