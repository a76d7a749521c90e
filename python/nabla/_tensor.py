"""The Python side of nabla.Tensor and of the functions around it: creation from Python data,
indexing, printing, conversions, (values, indices) results, and other conveniences written in
terms of the C++ operations in nabla._C (no numerics here)."""
import builtins
import collections
import operator

import numpy as np

from . import _C
from ._C import Tensor
from ._tensor_str import tensor_repr as _tensor_repr

_float32, _float64, _int64, _bool, _int32 = _C.float32, _C.float64, _C.int64, _C.bool, _C.int32


# ---------------------------------------------------------------- devices
class device:
    """nabla.device("cpu"). Other devices can be named (so torch code building one runs) but a
    tensor cannot go there: nabla runs on the CPU."""

    __module__ = "nabla"

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        type = str(type)
        if ":" in type:
            type, _, idx = type.partition(":")
            index = int(idx)
        self.type = type
        self.index = index

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))


_CPU = device("cpu")


def _check_device(d, op):
    if d is not None:
        _C._check_device(d, op)


# ---------------------------------------------------------------- creation from Python data
def _array_of(data):
    """A NumPy array holding data, with torch.tensor's dtype inference: Python floats become
    float32 (the default dtype), arrays and NumPy scalars keep theirs."""
    if isinstance(data, np.ndarray):
        return data
    if isinstance(data, np.generic):
        return np.asarray(data)
    if isinstance(data, Tensor):
        return data.detach().numpy()
    arr = np.array(data)
    if arr.dtype == np.float64 and not _has_float64_tensor(data) and _C.get_default_dtype() == _float32:
        arr = arr.astype(np.float32)
    elif arr.dtype.kind in "iu" and arr.dtype not in (np.int64, np.int32):  # [np.int32(1)] stays int32
        arr = arr.astype(np.int64)
    return arr


def _has_float64_tensor(data):
    if isinstance(data, Tensor):
        return data.dtype == _float64
    if isinstance(data, np.ndarray):
        return data.dtype == np.float64
    if isinstance(data, (list, tuple)):
        return builtins.any(_has_float64_tensor(d) for d in data)
    return False


def tensor(data, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of data (a number, nested lists, a NumPy array, a tensor):
    tensor([1, 2]) is int64, tensor([1.0]) float32, tensor(np.zeros(2)) float64,
    tensor(np.int32 array) int32, as torch."""
    _check_device(device, "tensor")
    if isinstance(data, Tensor):
        t = data.detach().clone()
    elif dtype is not None and not isinstance(data, (np.ndarray, np.generic)):
        # Python numbers are doubles: with a dtype given, round each once to it (as torch), not
        # through the default float32 first (tensor(0.1, dtype=float64) is 0.1, not 0.100000001).
        arr = np.array(data)
        arr = arr.astype(np.int64) if arr.dtype.kind in "iu" and arr.dtype != np.int64 else arr
        t = _C._copy_from_numpy(arr if arr.flags.c_contiguous else arr.copy(order="C"))
    else:
        arr = _array_of(data)
        t = _C._copy_from_numpy(arr if arr.flags.c_contiguous else arr.copy(order="C"))
    if dtype is not None:
        t = t._to_dtype(dtype)
    if requires_grad:
        t.requires_grad_(True)
    return t


def as_tensor(data, dtype=None, device=None):
    """data itself when it is a tensor of that dtype; a NumPy array's memory shared when it can be."""
    _check_device(device, "as_tensor")
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray) and data.dtype in (np.float32, np.float64, np.int64, np.int32, np.bool_):
        t = _C.from_numpy(data)
        return t if dtype is None else t.to(dtype)
    return tensor(data, dtype=dtype)


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    return input.numel()


def is_floating_point(input):
    return input.is_floating_point()


# ---------------------------------------------------------------- indexing
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
    t = i if isinstance(i, Tensor) else tensor(i)
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
        t = where(t < 0, t + size, t).expand(*shape)
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
    v = value if isinstance(value, Tensor) else tensor(value, dtype=x.dtype)
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
        scattered = _C._scatter_add((n,), 0, tensor(p), vb)
    else:  # values of the last occurrences; the gradient of every occurrence (a zero in value)
        kept = vb.index_select(0, tensor(keep))
        all_p = tensor(p)
        scattered = (_C._scatter_add((n,), 0, tensor(p[keep]), kept.detach())
                     + (_C._scatter_add((n,), 0, all_p, vb) - _C._scatter_add((n,), 0, all_p, vb.detach())))
    # x's old values through a copy: the graph must not read x's memory, which the assignment overwrites
    return where(tensor(mask), scattered, x.reshape(-1).clone()).reshape(shape)


# ---------------------------------------------------------------- printing
def _repr(self):
    return _tensor_repr(self)


# ---------------------------------------------------------------- results with names
class _ReturnTypes:
    max = collections.namedtuple("max", ["values", "indices"])
    min = collections.namedtuple("min", ["values", "indices"])
    sort = collections.namedtuple("sort", ["values", "indices"])
    topk = collections.namedtuple("topk", ["values", "indices"])


return_types = _ReturnTypes


def _extreme(name, is_max):
    named = getattr(_ReturnTypes, name)

    def fn(input, dim=None, keepdim=False, *, other=None):
        if isinstance(dim, Tensor):  # max(a, b): the elementwise maximum
            return maximum(input, dim) if is_max else minimum(input, dim)
        if dim is None:
            return input.amax() if is_max else input.amin()
        values = input.amax(dim, keepdim) if is_max else input.amin(dim, keepdim)
        indices = input.argmax(dim, keepdim) if is_max else input.argmin(dim, keepdim)
        return named(values, indices)

    fn.__name__ = name
    fn.__doc__ = (f"{name}(input): the {name}imum; {name}(input, dim, keepdim=False): (values, indices) along dim; "
                  f"{name}(input, other): elementwise.")
    return fn


max = _extreme("max", True)
min = _extreme("min", False)
maximum, minimum, where = _C.maximum, _C.minimum, _C.where


def sort(input, dim=-1, descending=False, stable=False):
    values, indices = _C._sort(input, dim, descending)
    return _ReturnTypes.sort(values, indices)


def argsort(input, dim=-1, descending=False, stable=False):
    return _C._sort(input, dim, descending)[1]


def topk(input, k, dim=-1, largest=True, sorted=True):
    values, indices = _C._sort(input, dim, largest)
    return _ReturnTypes.topk(values.narrow(dim, 0, k), indices.narrow(dim, 0, k))


def prod(input, dim=None, keepdim=False, *, dtype=None):
    """Product of the elements (over dim), as a tree of multiplications (so differentiable,
    also at zeros)."""
    x = input if dtype is None else input.to(dtype)
    integer = not x.is_floating_point()
    if integer:
        x = x.to(_float64)
    if dim is None:
        x = x.reshape(-1)
        d = 0
    else:
        d = dim % builtins.max(x.ndim, 1)
        if x.ndim == 0:
            return input.clone()
    while x.shape[d] > 1:
        n = x.shape[d]
        half = n // 2
        paired = x.narrow(d, 0, half) * x.narrow(d, half, half)
        x = cat([paired, x.narrow(d, n - 1, 1)], d) if n % 2 else paired
    if x.shape[d] == 0:
        shape = list(x.shape)
        shape[d] = 1
        x = _C.ones(*shape, dtype=x.dtype)
    out = x.squeeze(d) if (dim is None or not keepdim) else x
    if dim is None and keepdim:
        out = out.reshape(*([1] * input.ndim))
    return out.to(_int64) if integer else out


def split(tensor, split_size_or_sections, dim=0):
    size = tensor.shape[dim]
    if isinstance(split_size_or_sections, int):
        if split_size_or_sections <= 0:
            raise _C.ValueError(f"split: split_size must be positive, got {split_size_or_sections}")
        sizes = [split_size_or_sections] * (size // split_size_or_sections)
        if size % split_size_or_sections:
            sizes.append(size % split_size_or_sections)
    else:
        sizes = list(split_size_or_sections)
        if builtins.sum(sizes) != size:
            raise _C.ShapeError(f"split: split sizes {sizes} do not add up to {size}, the size of dimension {dim}")
    out, at = [], 0
    for s in sizes:
        out.append(tensor.narrow(dim, at, s))
        at += s
    return tuple(out)


def chunk(input, chunks, dim=0):
    size = input.shape[dim]
    return split(input, -(-size // chunks) if size else 1, dim)


def unbind(input, dim=0):
    return tuple(input.select(dim, i) for i in range(input.shape[dim]))


def narrow(input, dim, start, length):
    size = input.shape[dim]
    if start < 0:
        start += size
    if not (0 <= start and start + length <= size and length >= 0):
        raise IndexError(f"narrow: start ({start}) + length ({length}) exceeds dimension size ({size})")
    return input._slice(dim, start, start + length, 1)


def select(input, dim, index):
    size = input.shape[dim]
    if not -size <= index < size:
        raise IndexError(f"select: index {index} out of range for dimension {dim} with size {size}")
    return input._select(dim, index)


cat, concat, concatenate, stack = _C.cat, _C.concat, _C.concatenate, _C.stack


def flip(input, dims):
    x = input
    for d in ([dims] if isinstance(dims, int) else dims):
        n = x.shape[d]
        x = x.index_select(d, _C.arange(n - 1, -1, -1))
    return x


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, out=None, device=None, requires_grad=False):
    """normal(mean, std, size=...) with floats, or with tensors (one draw per element), drawing
    torch's numbers."""
    _check_device(device, "normal")
    tm, ts = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not tm and not ts:
        if size is None:
            raise _C.ValueError("normal: give size= when mean and std are numbers")
        t = _C._normal(float(mean), float(std), size, generator, dtype)
    elif tm and not ts:
        t = _C._normal(0.0, float(std), tuple(mean.shape), generator, mean.dtype) + mean.detach()
    else:
        shape = tuple(mean.shape) if tm else tuple(std.shape)
        dt = (mean if tm else std).dtype
        if tm and mean.numel() != std.numel():
            raise _C.ShapeError(f"normal: mean has {mean.numel()} elements and std {std.numel()}; they must match")
        t = _C._normal(0.0, 1.0, shape, generator, dt) * std.detach().reshape(*shape) + (
            mean.detach() if tm else mean)
    if requires_grad:
        t.requires_grad_(True)
    return t


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return builtins.bool(np.allclose(input.detach().numpy(), other.detach().numpy(), rtol, atol, equal_nan))


def equal(input, other):
    return tuple(input.shape) == tuple(other.shape) and builtins.bool((input == other).all())


def _as_tensor_like(x, like):
    """x as a tensor; a Python number becomes a 0-d tensor, which promotes as torch's numbers do."""
    return x if isinstance(x, Tensor) else tensor(x)


def add(input, other, *, alpha=1):
    return _as_tensor_like(input, other).add(other, alpha=alpha)


def sub(input, other, *, alpha=1):
    return _as_tensor_like(input, other).sub(other, alpha=alpha)


def mul(input, other):
    return _as_tensor_like(input, other) * other


def div(input, other, *, rounding_mode=None):
    if rounding_mode == "floor":
        return floor_divide(input, other)
    if rounding_mode == "trunc":
        return _C.trunc(_as_tensor_like(input, other) / other)
    return _as_tensor_like(input, other) / other


def pow(input, exponent):
    if isinstance(input, Tensor):
        return input ** exponent
    if isinstance(exponent, Tensor):
        return exponent.__rpow__(input)
    raise TypeError(f"pow: expected a tensor as input or exponent, got {type(input).__name__} and "
                    f"{type(exponent).__name__}")


subtract, multiply, divide, true_divide = sub, mul, div, div


def floor_divide(input, other):
    """floor(input / other), with integer results for integer operands (as torch's //)."""
    a = _as_tensor_like(input, other)
    if a.dtype == _bool:
        a = a.long()
    if isinstance(other, Tensor) and other.dtype == _bool:
        other = other.long()
    integer = not a.is_floating_point() and not (isinstance(other, Tensor) and other.is_floating_point()) \
        and not isinstance(other, builtins.float)
    if integer:
        b = other if isinstance(other, Tensor) else tensor(other)
        if builtins.bool((b == 0).any()):
            raise ZeroDivisionError("floor_divide: integer division by zero")
        return _C.floor(a.double() / b.double()).to((a * other).dtype)  # the promoted integer dtype
    return _C.floor(a / other)


def remainder(input, other):
    """input - floor(input / other) * other: the sign of the divisor, as torch's % (differentiable
    in input)."""
    a = _as_tensor_like(input, other)
    if a.dtype == _bool:
        a = a.long()
    if isinstance(other, Tensor) and other.dtype == _bool:
        other = other.long()
    return a - floor_divide(a, other) * other


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance over dim (all elements by default), unbiased unless unbiased=False or correction=0."""
    if isinstance(dim, builtins.bool):  # var(x, False): the unbiased flag in torch's old order
        dim, unbiased = None, dim
    if correction is None:
        correction = 0 if unbiased is False else 1
    dims = None if dim is None else ([dim] if isinstance(dim, int) else list(dim))
    n = input.numel() if dims is None else int(np.prod([input.shape[d] for d in dims]))
    mean = input.mean(dims, keepdim=True) if dims is not None else input.mean()
    squares = ((input - mean) ** 2).sum(dims, keepdim) if dims is not None else ((input - mean) ** 2).sum()
    return squares / builtins.max(n - correction, 0)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return var(input, dim, unbiased, keepdim, correction=correction).sqrt()


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """The vector p-norm of the elements (over dim): p = 2 / 'fro', 1, inf, or any other number."""
    x = input if dtype is None else input.to(dtype)
    if p in ("fro", 2, 2.0):
        return (x * x).sum(dim, keepdim).sqrt()
    if p in (1, 1.0):
        return x.abs().sum(dim, keepdim)
    if p == float("inf"):
        return x.abs().amax(dim, keepdim)
    return (x.abs() ** p).sum(dim, keepdim) ** (1.0 / p)


def isnan(input):
    return input != input


def isinf(input):
    if not input.is_floating_point():
        return _C.zeros(*input.shape, dtype=_bool)
    return input.abs() == float("inf")


def isfinite(input):
    if not input.is_floating_point():
        return _C.ones(*input.shape, dtype=_bool)
    return (input == input) & (input.abs() != float("inf"))


def nonzero(input, *, as_tuple=False):
    """The indices of the non-zero elements: (N, ndim) int64, or one index tensor per dimension."""
    coords = _C._nonzero(input)
    if as_tuple:
        return tuple(coords._select(1, d) for d in range(builtins.max(input.ndim, 1)))
    return coords if input.ndim else coords.reshape(coords.shape[0], 0)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values, sorted (not differentiable, as torch's). dim= is not supported."""
    if dim is not None:
        raise _C.ValueError("unique: dim= is not supported by nabla")
    values, inverse, counts = np.unique(input.detach().numpy(), return_inverse=True, return_counts=True)
    out = [tensor(values, dtype=input.dtype)]
    if return_inverse:
        out.append(tensor(inverse.reshape(tuple(input.shape)), dtype=_int64))
    if return_counts:
        out.append(tensor(counts, dtype=_int64))
    return out[0] if len(out) == 1 else tuple(out)


def cumsum(input, dim, *, dtype=None):
    """Running sums along dim, as a product with a triangular matrix of ones (so differentiable)."""
    x = input if dtype is None else input.to(dtype)
    integer = not x.is_floating_point()
    if integer:
        x = x.double()
    if x.ndim == 0:
        return (x.long() if integer else x).clone()
    n = x.shape[dim]
    upper = tensor(np.triu(np.ones((n, n))), dtype=x.dtype)
    out = (x.transpose(dim, -1) @ upper).transpose(dim, -1)
    return out.long() if integer else out


def save(obj, f, **kwargs):
    """Pickles obj (tensors, dicts of them such as a state_dict) to a path or a file, as torch.save."""
    import pickle
    if hasattr(f, "write"):
        pickle.dump(obj, f)
    else:
        with open(f, "wb") as out:
            pickle.dump(obj, out)


def load(f, map_location=None, weights_only=False, **kwargs):
    """Reads what save wrote."""
    import pickle
    if hasattr(f, "read"):
        return pickle.load(f)
    with open(f, "rb") as inp:
        return pickle.load(inp)


def _repeat(self, *sizes):
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    if len(sizes) < self.ndim:
        raise _C.ShapeError(f"repeat: {len(sizes)} repeat counts for a tensor with {self.ndim} dimensions")
    shape = [1] * (len(sizes) - self.ndim) + list(self.shape)
    x = self.reshape(*[v for s in shape for v in (1, s)])
    x = x.expand(*[v for r, s in zip(sizes, shape) for v in (r, s)])
    return x.reshape(*[r * s for r, s in zip(sizes, shape)])


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    """As torch.set_printoptions (precision, threshold, edgeitems, linewidth; profile "default")."""
    from . import _tensor_str as ts
    if profile == "default":
        ts.PRECISION, ts.THRESHOLD, ts.EDGEITEMS, ts.LINEWIDTH = 4, 1000, 3, 80
    for name, value in [("PRECISION", precision), ("THRESHOLD", threshold), ("EDGEITEMS", edgeitems),
                        ("LINEWIDTH", linewidth)]:
        if value is not None:
            setattr(ts, name, value)
    ts.SCI_MODE = sci_mode


def _legacy(dtype):
    def make(*args):
        return Tensor(*args)._to_dtype(dtype) if args else _C.zeros(0, dtype=dtype)
    make.__name__ = _LEGACY_NAMES[dtype]
    return make


_LEGACY_NAMES = {_float32: "FloatTensor", _float64: "DoubleTensor", _int64: "LongTensor", _int32: "IntTensor",
                 _bool: "BoolTensor"}
FloatTensor, DoubleTensor, LongTensor, IntTensor, BoolTensor = (
    _legacy(d) for d in (_float32, _float64, _int64, _int32, _bool))


# ---------------------------------------------------------------- Tensor methods in Python
def _size(self, dim=None):
    return self.shape if dim is None else self.shape[dim]


def _to(self, *args, **kwargs):
    """to(dtype), to(device), to(device, dtype), to(other_tensor), with copy= and non_blocking=."""
    dtype = kwargs.pop("dtype", None)
    dev = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    for a in args:
        if isinstance(a, Tensor):
            dtype = a.dtype
        elif isinstance(a, (str, device)):
            dev = a
        elif a is not None:
            dtype = a
    _check_device(dev, "to")
    out = self if dtype is None else self._to_dtype(dtype)
    return out.clone() if copy and out is self else out


def _cuda(self, *args, **kwargs):
    _C._check_device("cuda", "cuda()")


def _tolist(self):
    return self.detach().numpy().tolist()


def _len(self):
    if self.ndim == 0:
        raise TypeError("len() of a 0-d tensor")
    return self.shape[0]


def _iter(self):
    if self.ndim == 0:
        raise TypeError("iteration over a 0-d tensor")
    return (self._select(0, i) for i in range(self.shape[0]))


def _one_value(self, what):
    if self.numel() != 1:
        raise _C.ValueError(f"{what} of a tensor with more than one value is ambiguous "
                            f"(shape {list(self.shape)}); use .any() or .all()")
    return self.item()


def _index(self):
    if self.dtype not in (_int64, _int32, _bool) or self.numel() != 1:
        raise TypeError("only integer tensors of a single element can be converted to an index")
    return int(self.item())


def _array(self, dtype=None):
    arr = self.numpy()
    return arr if dtype is None else arr.astype(dtype, copy=False)


def _reduce(self):
    state = self.__dict__ if type(self) is not Tensor and hasattr(self, "__dict__") else None
    return (_rebuild, (self.detach().numpy().copy(), self.requires_grad, type(self), state))


def _as_class(data, cls, state=None):
    """data as an instance of cls (a Tensor subclass such as nn.Parameter), sharing its memory."""
    if cls is Tensor:
        return data
    t = cls.__new__(cls)
    Tensor.__init__(t, data)
    if state:
        t.__dict__.update(state)
    return t


def _rebuild(array, requires_grad, cls=Tensor, state=None):
    t = _as_class(tensor(array), cls, state)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _deepcopy(self, memo):
    import copy
    state = copy.deepcopy(self.__dict__, memo) if type(self) is not Tensor and hasattr(self, "__dict__") else None
    t = _as_class(self.detach().clone(), type(self), state)
    if self.requires_grad:
        t.requires_grad_(True)
    if self.grad is not None:
        t.grad = self.grad.detach().clone()
    memo[id(self)] = t
    return t


def _any(self, dim=None, keepdim=False):
    nonzero = (self != 0).to(_int64)
    if dim is None:
        return tensor(nonzero.sum().item() > 0)
    return nonzero.sum(dim, keepdim) > 0


def _all(self, dim=None, keepdim=False):
    if dim is not None:
        return (self == 0).to(_int64).sum(dim, keepdim) == 0
    return tensor((self == 0).to(_int64).sum().item() == 0)


def _format(self, spec):
    if self.ndim == 0:
        return format(self.item(), spec)
    return format(str(self), spec)


def _new(kind):
    def fn(self, *args, dtype=None, device=None, requires_grad=False):
        dtype = self.dtype if dtype is None else dtype
        if kind == "tensor":
            return tensor(args[0], dtype=dtype, device=device, requires_grad=requires_grad)
        if kind == "full":
            return _C.full(args[0], args[1], dtype=dtype, device=device, requires_grad=requires_grad)
        return getattr(_C, kind)(*args, dtype=dtype, device=device, requires_grad=requires_grad)

    return fn


def _type(self, dtype=None):
    if dtype is None:
        return "nabla." + _LEGACY_NAMES[self.dtype]
    return self.to(dtype)


def _reshape_inplace(self, result):
    self.data = result
    return self


def _register_hook(self, hook):
    """Calls hook(grad) each time backward computes this tensor's gradient (before a leaf
    accumulates it into .grad); a tensor it returns replaces the gradient. Returns a handle whose
    remove() takes the hook away, as torch's."""
    from .utils.hooks import _TensorHookHandle
    return _TensorHookHandle(self, self._register_hook(hook))


def _install():
    T = Tensor
    T.__module__ = "nabla"
    T.register_hook = _register_hook
    T.__getitem__ = _getitem
    T.__setitem__ = _setitem
    T.__repr__ = _repr
    T.__str__ = _repr
    T.__len__ = _len
    T.__iter__ = _iter
    T.__bool__ = lambda self: builtins.bool(_one_value(self, "Boolean value"))
    T.__float__ = lambda self: builtins.float(_one_value(self, "float()"))
    T.__int__ = lambda self: int(_one_value(self, "int()"))
    T.__index__ = _index
    T.__array__ = _array
    T.__array_priority__ = 1000
    T.__reduce__ = _reduce
    T.__deepcopy__ = _deepcopy
    T.__format__ = _format
    T.device = property(lambda self: _CPU)
    T.is_cuda = property(lambda self: False)
    T.layout = property(lambda self: "strided")
    T.size = _size
    T.to = _to
    T.cpu = lambda self: self
    T.cuda = _cuda
    T.float = lambda self: self._to_dtype(_float32)
    T.double = lambda self: self._to_dtype(_float64)
    T.long = lambda self: self._to_dtype(_int64)
    T.int = lambda self: self._to_dtype(_int32)
    T.bool = lambda self: self._to_dtype(_bool)
    T.half = lambda self: self._to_dtype("float16")
    T.type = _type
    T.type_as = lambda self, other: self._to_dtype(other.dtype)
    T.tolist = _tolist
    T.max = max
    T.min = min
    T.sort = sort
    T.argsort = argsort
    T.topk = topk
    T.prod = prod
    T.split = split
    T.chunk = chunk
    T.unbind = unbind
    T.narrow = narrow
    T.select = select
    T.flip = flip
    T.any = _any
    T.all = _all
    T.new_tensor = _new("tensor")
    T.new_zeros = _new("zeros")
    T.new_ones = _new("ones")
    T.new_empty = _new("zeros")
    T.new_full = _new("full")
    T.var = var
    T.isnan = isnan
    T.isinf = isinf
    T.isfinite = isfinite
    T.nonzero = nonzero
    T.unique = unique
    T.cumsum = cumsum
    T.std = std
    T.norm = norm
    T.repeat = _repeat
    T.view_as = lambda self, other: self.view(*other.shape)
    T.reshape_as = lambda self, other: self.reshape(*other.shape)
    T.floor_divide = floor_divide
    T.remainder = remainder
    T.__floordiv__ = floor_divide
    T.__rfloordiv__ = lambda self, other: floor_divide(other, self)
    T.__mod__ = remainder
    T.__rmod__ = lambda self, other: remainder(other, self)
    # In-place forms of the out-of-place methods (refused, like every in-place op, on a tensor
    # autograd tracks while grad mode is on).
    for name in ["clamp", "clip", "relu", "exp", "log", "sigmoid", "tanh", "neg", "abs", "sqrt", "floor", "ceil",
                 "round", "trunc", "pow", "square", "reciprocal", "sign", "t", "transpose", "unsqueeze", "squeeze",
                 "floor_divide", "remainder"]:
        def inplace(self, *args, _name=name, **kwargs):
            return self.copy_(getattr(self, _name)(*args, **kwargs)) if _name not in (
                "t", "transpose", "unsqueeze", "squeeze") else _reshape_inplace(self, getattr(self, _name)(*args))
        setattr(T, name + "_", inplace)


_install()
any, all = _any, _all
