"""Comparison helpers for the tests: nabla tensors against torch tensors."""
import numpy as np

import nabla
import torch

TORCH_DTYPE = {nabla.float32: torch.float32, nabla.float64: torch.float64, nabla.int64: torch.int64,
               nabla.int32: torch.int32, nabla.bool: torch.bool}
NABLA_DTYPE = {v: k for k, v in TORCH_DTYPE.items()}


def tol(dtype):
    return 1e-6 if dtype in (nabla.float32, torch.float32) else 1e-12


def assert_same(a, b, exact=False, rtol=None, atol=None):
    """a (nabla) has b's (torch) shape, dtype and values (to 1e-6 / 1e-12 relative, or exactly)."""
    assert isinstance(a, nabla.Tensor), type(a)
    assert tuple(a.shape) == tuple(b.shape), (a.shape, b.shape)
    assert TORCH_DTYPE[a.dtype] == b.dtype, (a.dtype, b.dtype)
    x, y = a.detach().numpy(), b.detach().numpy()
    if exact or a.dtype in (nabla.int64, nabla.int32, nabla.bool):
        np.testing.assert_array_equal(x, y)
    else:
        t = tol(a.dtype)
        np.testing.assert_allclose(x, y, rtol=rtol or t, atol=atol if atol is not None else t)


def pair(values, dtype=nabla.float64, requires_grad=False):
    """The same data as a nabla and a torch tensor."""
    arr = np.asarray(values)
    a = nabla.tensor(arr, dtype=dtype, requires_grad=requires_grad)
    b = torch.tensor(arr, dtype=TORCH_DTYPE[dtype], requires_grad=requires_grad)
    return a, b
