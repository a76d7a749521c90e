"""Helpers of the nn / optim / data tests: run the same source text with `th` bound to torch and
to nabla (the one-import switch), and compare tensors as NumPy arrays."""
import numpy as np
import torch

import nabla


def both(src, **env):
    """Executes `src` once with th = torch and once with th = nabla (with nn, F, optim, data
    bound as a notebook would import them); returns (torch namespace, nabla namespace)."""
    out = []
    for th in (torch, nabla):
        ns = {"th": th, "nn": th.nn, "F": th.nn.functional, "optim": th.optim, "data": th.utils.data, "np": np}
        ns.update(env)
        exec(compile(src, "<same source>", "exec"), ns)
        out.append(ns)
    return out[0], out[1]


def arr(t):
    """A tensor of either library (or a number / list of them) as a NumPy array."""
    if isinstance(t, (torch.Tensor, nabla.Tensor)):
        return np.array(t.detach().numpy(), copy=True)
    return np.asarray(t)


def close(ours, theirs, rtol=None, atol=0.0):
    """ours (nabla) equals theirs (torch): bit for bit when rtol is None, else within rtol/atol."""
    a, b = arr(ours), arr(theirs)
    assert a.shape == b.shape, f"shape {a.shape} != torch's {b.shape}"
    if rtol is None:
        np.testing.assert_array_equal(a, b)
    else:
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def to_nabla(t, requires_grad=False):
    """A nabla copy of a torch tensor (same dtype)."""
    x = nabla.tensor(t.detach().numpy().copy())
    if requires_grad:
        x.requires_grad_(True)
    return x
