"""The Python side of nabla.Tensor and of the functions around it: creation from Python data,
printing, conversions, the Tensor methods written in Python, and other conveniences written in
terms of the C++ operations in nabla._C (no numerics here)."""
import builtins
import operator

import numpy as np

from . import _C
from ._C import Tensor
from ._functions import (  # noqa: F401 (nabla exports them)
    _ReturnTypes,
    return_types,
    _extreme,
    max,
    min,
    maximum,
    minimum,
    where,
    sort,
    argsort,
    topk,
    prod,
    split,
    chunk,
    unbind,
    narrow,
    select,
    cat,
    concat,
    concatenate,
    stack,
    flip,
    normal,
    allclose,
    equal,
    _as_tensor_like,
    add,
    sub,
    mul,
    div,
    pow,
    subtract,
    multiply,
    divide,
    true_divide,
    floor_divide,
    remainder,
    var,
    std,
    norm,
    isnan,
    isinf,
    isfinite,
    nonzero,
    unique,
    cumsum,
    save,
    load,
)
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


def _zero_grads(params, set_to_none=False):
    """What Module.zero_grad and Optimizer.zero_grad do to their parameters, as torch 1.13 (whose
    default is set_to_none=False): drop each .grad, or detach it in place and fill it with zeros
    (the same tensor object stays the .grad)."""
    for p in params:
        if p.grad is not None:
            if set_to_none:
                p.grad = None
            else:
                if p.grad.grad_fn is not None:
                    p.grad.detach_()
                else:
                    p.grad.requires_grad_(False)
                p.grad.zero_()
