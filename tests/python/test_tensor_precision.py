"""tensor(python numbers, dtype=...) rounds each number once to the dtype, as torch does: a
float64 tensor of Python floats holds those doubles exactly (not their float32 roundings)."""
import numpy as np
import pytest
import torch

import nabla


@pytest.mark.parametrize("data", [0.1, [0.1, 0.2, 1e-300], [[1 / 3, 2.5], [1e6 + 0.1, -0.7]], [1, 2**53 + 1], [True, 0.5]])
@pytest.mark.parametrize("dtype", ["float64", "float32", "int64"])
def test_python_numbers_with_a_dtype_are_rounded_once(data, dtype):
    want = torch.tensor(data, dtype=getattr(torch, dtype))
    got = nabla.tensor(data, dtype=getattr(nabla, dtype))
    assert got.dtype == getattr(nabla, dtype)
    np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_default_dtype_is_still_float32():
    assert nabla.tensor([0.1]).dtype == nabla.float32
    assert nabla.tensor([0.1]).item() == torch.tensor([0.1]).item()
