"""The Python side of nabla.Tensor and of the functions around it: creation from Python data,
printing, conversions, (values, indices) results, and other conveniences written in
terms of the C++ operations in nabla._C (no numerics here)."""
import builtins
import collections
import operator

import numpy as np

from . import _C
from ._C import Tensor
from ._indexing import _getitem, _setitem
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
