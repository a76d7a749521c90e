"""nabla's functions written in Python over nabla._C, each as torch has it: max/min/sort/topk with
named (values, indices) results, prod, split/chunk/unbind/narrow/select/flip, normal, the arithmetic
functions with alpha= and rounding_mode=, var/std/norm, isnan/isinf/isfinite, nonzero, unique,
cumsum, save/load. _tensor.py installs the method forms on nabla.Tensor and nabla exports them."""
import builtins
import collections

import numpy as np

from . import _C
from ._C import Tensor

_float32, _float64, _int64, _bool, _int32 = _C.float32, _C.float64, _C.int64, _C.bool, _C.int32


def _tensor(data, **kwargs):
    # nabla.tensor; _tensor.py imports this module, so it is looked up when called.
    from ._tensor import tensor
    return tensor(data, **kwargs)


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
    _C._check_device(device, "normal")
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
    return x if isinstance(x, Tensor) else _tensor(x)


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
        b = other if isinstance(other, Tensor) else _tensor(other)
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
    out = [_tensor(values, dtype=input.dtype)]
    if return_inverse:
        out.append(_tensor(inverse.reshape(tuple(input.shape)), dtype=_int64))
    if return_counts:
        out.append(_tensor(counts, dtype=_int64))
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
    upper = _tensor(np.triu(np.ones((n, n))), dtype=x.dtype)
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
