"""nabla.Tensor's indexing, torch 1.13's rules step for step: t[idx] (_getitem) and t[idx] = v
(_setitem), installed on the class by _tensor.py; ints, slices, None, ..., masks and index tensors,
written in terms of the C++ operations in nabla._C (no numerics here)."""
import builtins

import numpy as np

from . import _C
from ._C import Tensor

_int64, _int32, _bool = _C.int64, _C.int32, _C.bool


def _tensor(data, **kwargs):
    # nabla.tensor; _tensor.py imports this module, so it is looked up when an index is used.
    from ._tensor import tensor
    return tensor(data, **kwargs)


def _is_int(i):
    """An index that selects (removes a dim): a Python or NumPy int, or a 0-d integer tensor."""
    if isinstance(i, (builtins.bool, np.bool_)):
        return False
    if isinstance(i, Tensor):
        return i.ndim == 0 and i.dtype in (_int64, _int32)
    return isinstance(i, (int, np.integer))


def _is_bool(i):
    return isinstance(i, (builtins.bool, np.bool_))


def _index_tensor(i):
    if isinstance(i, (list, tuple, range)) and len(i) == 0:
        return _C.zeros(0, dtype=_int64)
    t = i if isinstance(i, Tensor) else _tensor(i)
    if t.dtype not in (_int64, _bool):
        raise IndexError("tensors used as indices must be long (int64) or bool tensors, got " + repr(t.dtype))
    return t


def _specified_dims(parts):
    """The dims an index names (torch's count_specified_dimensions): a mask its rank, an int, a
    slice or an index tensor one; None, ... and a Python bool none."""
    n = 0
    for i in parts:
        if i is None or i is Ellipsis or _is_bool(i):
            continue
        if isinstance(i, Tensor) and i.dtype == _bool:
            n += i.ndim
        elif isinstance(i, np.ndarray) and i.dtype == np.bool_:
            n += i.ndim
        else:
            n += 1
    return n


def _getitem(self, idx):
    """torch 1.13's indexing (python_variable_indexing.cpp, TensorIndexing.h), step for step: ints
    select and slices slice as they come, None inserts a dim, each index tensor (a mask too) is
    recorded at the current dim and moves it by one; then the recorded tensors (masks expanded to
    their nonzero coordinates, shifting the later ones) index the result together."""
    if type(idx) is int:  # the common case (a dataset's row), without the general machinery
        size = self.shape[0] if self.ndim else 0
        if not -size <= idx < size:
            if self.ndim == 0:
                raise IndexError("invalid index of a 0-dim tensor")
            raise IndexError(f"index {idx} is out of bounds for dimension 0 with size {size}")
        return self._select(0, idx)
    parts = idx if isinstance(idx, tuple) else (idx,)
    if builtins.sum(1 for i in parts if i is Ellipsis) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    specified = _specified_dims(parts)
    if specified > self.ndim:
        raise IndexError(f"too many indices for tensor of dimension {self.ndim}")
    x = self
    dim = 0
    recorded = {}  # dim of x after the basic indexing -> index tensor (int64 or a bool mask)
    for i in parts:
        if i is None:
            x = x.unsqueeze(dim)
            dim += 1
        elif i is Ellipsis:
            dim += self.ndim - specified
        elif _is_int(i):
            i = int(i)
            if x.ndim == 0:
                raise IndexError("invalid index of a 0-dim tensor")
            size = x.shape[dim]
            if not -size <= i < size:
                raise IndexError(f"index {i} is out of bounds for dimension {dim} with size {size}")
            x = x._select(dim, i)
        elif isinstance(i, slice):
            start, stop, step = i.indices(x.shape[dim])
            if step <= 0:
                raise ValueError("step must be greater than zero")
            x = x._slice(dim, start, builtins.max(start, stop), step)
            dim += 1
        elif isinstance(i, (Tensor, list, tuple, range, np.ndarray)) or _is_bool(i):
            t = _index_tensor(i)
            if t.dtype == _bool and t.ndim == 0:  # x[True]: a new dim indexed by [0]; x[False]: by []
                x = x.unsqueeze(dim)
                t = _C.zeros(1 if t.item() else 0, dtype=_int64)
            recorded[dim] = t
            dim += 1
        else:
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or bool tensors are "
                             f"valid indices, got {type(i).__name__}")
    if not recorded:
        return x
    advanced, at = [], 0  # masks become one index per dim they cover
    for p in range(builtins.max(recorded) + 1):
        t = recorded.get(p)
        if t is None:
            at += 1
        elif t.dtype == _bool:
            if at + t.ndim > x.ndim:
                raise IndexError(f"too many indices for tensor of dimension {x.ndim}")
            for j in range(t.ndim):
                if t.shape[j] != x.shape[at + j]:
                    raise IndexError(f"The shape of the mask {list(t.shape)} at index {j} does not match the shape "
                                     f"of the indexed tensor {list(x.shape)} at index {at + j}")
            coords = _C._nonzero(t)
            for j in range(t.ndim):
                advanced.append((at + j, coords._select(1, j)))
            at += t.ndim
        else:
            if at >= x.ndim:
                raise IndexError(f"too many indices for tensor of dimension {x.ndim}")
            advanced.append((at, t))
            at += 1
    return _advanced(x, advanced)


def _advanced(x, advanced):
    """x indexed by integer tensors at some of its dims (torch/NumPy advanced indexing)."""
    dims = [d for d, _ in advanced]
    try:
        shape = np.broadcast_shapes(*[tuple(t.shape) for _, t in advanced])
    except ValueError:
        raise IndexError("shape mismatch: indexing tensors could not be broadcast together with shapes " +
                         " ".join(str(list(t.shape)) for _, t in advanced)) from None
    rest = [d for d in range(x.ndim) if d not in dims]
    moved = x.permute(*dims, *rest) if dims + rest != list(range(x.ndim)) else x
    rest_shape = [x.shape[d] for d in rest]
    linear = None
    for d, t in advanced:
        size = x.shape[d]
        if t.numel() and (int(t.amax()) >= size or int(t.amin()) < -size):
            bad = int(t.amax()) if int(t.amax()) >= size else int(t.amin())
            raise IndexError(f"index {bad} is out of bounds for dimension {d} with size {size}")
        t = _C.where(t < 0, t + size, t).expand(*shape)
        linear = t if linear is None else linear * size + t
    merged = moved.reshape(int(np.prod([x.shape[d] for d in dims])), *rest_shape)
    out = merged.index_select(0, linear.reshape(-1)).reshape(*shape, *rest_shape)
    adjacent = dims == list(range(dims[0], dims[0] + len(dims)))
    if adjacent and dims[0] > 0:
        b = len(shape)
        before = list(range(b, b + dims[0]))
        out = out.permute(*before, *range(b), *range(b + dims[0], out.ndim))
    return out


def _setitem(self, idx, value):
    if _C._capturing():
        raise _C.CaptureError("__setitem__: assignment by index cannot be captured in a compiled step; use "
                              "arithmetic (x * mask, nabla.where) or run the step eagerly")
    if _is_bool(idx) and not idx:  # x[False] = v assigns nothing (and, as in torch, joins no graph)
        return
    if _C.is_grad_enabled() and (self.requires_grad or (isinstance(value, Tensor) and value.requires_grad)):
        if self.requires_grad and self.is_leaf:
            raise _C.AutogradError("__setitem__: a leaf tensor that requires grad cannot be assigned to in place "
                                   "while grad mode is on; wrap it in `with nabla.no_grad():`, assign to `.data`, "
                                   "or assign to a clone (y = x.clone(); y[...] = v)")
        self._assign_result(_setitem_result(self, idx, value))
        return
    arr = self.detach().numpy()
    value = value.detach().numpy() if isinstance(value, Tensor) else value
    parts = idx if isinstance(idx, tuple) else (idx,)
    try:
        if len(parts) == 1 or not builtins.any(isinstance(i, (Tensor, list, tuple, range, np.ndarray)) or _is_bool(i)
                                               for i in parts):
            # Basic indexing, or one index tensor alone: NumPy's assignment is torch's.
            arr[tuple(i.detach().numpy() if isinstance(i, Tensor) else i for i in parts)] = value
        else:
            # torch's order of advanced and basic indices (see _getitem): the positions it picks.
            pos = _C.arange(self.numel(), dtype=_int64).reshape(tuple(self.shape))[idx].numpy()
            v = np.asarray(value, dtype=arr.dtype)
            while v.ndim > pos.ndim and v.shape[0] == 1:
                v = v[0]
            full = arr if arr.flags.c_contiguous else arr.copy()
            full.reshape(-1)[pos.reshape(-1)] = np.broadcast_to(v, pos.shape).reshape(-1)
            if full is not arr:
                arr[...] = full
    except IndexError:
        raise
    except (ValueError, TypeError) as e:
        raise _C.ShapeError(f"__setitem__: {e}") from None


def _setitem_result(x, idx, value):
    """x with x[idx] = value, out of place and differentiable in both (torch's index_put): the
    indexed positions found by indexing a tensor of positions, the values scattered there. Where
    an index repeats, the last assignment wins and every occurrence of the value gets the
    gradient, as in torch."""
    shape = tuple(x.shape)
    pos = _C.arange(x.numel(), dtype=_int64).reshape(shape)[idx]
    v = value if isinstance(value, Tensor) else _tensor(value, dtype=x.dtype)
    if v.dtype != x.dtype:
        v = v.to(x.dtype)
    while v.ndim > pos.ndim and v.shape[0] == 1:
        v = v.squeeze(0)
    try:
        vb = v.expand(*pos.shape).reshape(-1)
    except (ValueError, RuntimeError):
        raise _C.ShapeError(f"__setitem__: the value of shape {list(v.shape)} does not broadcast to the indexed "
                            f"shape {list(pos.shape)}") from None
    p = pos.reshape(-1).numpy()
    mask = np.zeros(x.numel(), dtype=np.bool_)
    mask[p] = True
    n = x.numel()
    _, last_in_reversed = np.unique(p[::-1], return_index=True)
    keep = np.sort(len(p) - 1 - last_in_reversed)
    if len(keep) == len(p):
        scattered = _C._scatter_add((n,), 0, _tensor(p), vb)
    else:  # values of the last occurrences; the gradient of every occurrence (a zero in value)
        kept = vb.index_select(0, _tensor(keep))
        all_p = _tensor(p)
        scattered = (_C._scatter_add((n,), 0, _tensor(p[keep]), kept.detach())
                     + (_C._scatter_add((n,), 0, all_p, vb) - _C._scatter_add((n,), 0, all_p, vb.detach())))
    # x's old values through a copy: the graph must not read x's memory, which the assignment overwrites
    return _C.where(_tensor(mask), scattered, x.reshape(-1).clone()).reshape(shape)
