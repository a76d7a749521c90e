"""nabla: a C++ autodiff and neural-network engine, with PyTorch's Python API for what a first
deep-learning course uses. Switch a notebook over with one import:

    import nabla as th
    x = th.tensor([[1.0, 2.0]], requires_grad=True)
    y = (x @ x.T).sigmoid().sum()
    y.backward()          # x.grad == 2 * x * sigmoid'(x @ x.T)

Numerics run in the C++ engine (the extension nabla._C); this package adds the Python-level
conveniences. nabla never imports torch.
"""
from . import _C

# Everything public in the extension: Tensor, dtypes, errors, creation, math, random, ...
for _name in dir(_C):
    if not _name.startswith("_"):
        globals()[_name] = getattr(_C, _name)
del _name

from . import autograd, cuda  # noqa: E402
from ._tensor import (  # noqa: E402
    add, all, allclose, any, argsort, as_tensor, BoolTensor, cat, chunk, concat, concatenate, cumsum, device,
    div, divide, DoubleTensor, equal, flip, FloatTensor, floor_divide, is_floating_point,
    is_tensor, IntTensor, isfinite, isinf, isnan, load, LongTensor, max, min, mul, multiply, narrow, nonzero, norm,
    normal, numel, pow, prod, remainder, return_types, save, select, set_printoptions, sort, split, stack,
    std, sub, subtract, tensor, topk, true_divide, unbind, unique, var,
)
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled  # noqa: E402

__version__ = _C.__version__


def compile(fn=None, **options):
    """Captures a step (a function of tensors returning a tensor, a tuple of tensors or None) and
    replays it: the first call runs it, the second records its kernels, every later call with
    inputs of the same shapes replays them without entering Python (the GIL is released), bit for
    bit what the eager step computes. Usable as @nabla.compile. See nabla/compile.h for what a
    compiled step may do (no randomness, no decisions on tensor values in Python).

        step = nabla.compile(train_step)
        for xb, yb in batches:
            loss = step(xb, yb)          # the returned tensor is overwritten by the next call
        step.run(1000, xb, yb)           # 1000 replays without returning to Python (Ctrl-C stops)
    """
    if fn is None:
        return lambda f: compile(f, **options)
    return _C.CompiledStep(fn)


def _dtype_from_name(name):
    return getattr(_C, name)


# torch's other names for the dtypes (assigned last: they shadow builtins inside this module).
float, double, long, int, half = float32, float64, int64, int32, None  # noqa: A001
del half

# ---- nabla.nn, nabla.optim, nabla.utils: the pynn branch adds its imports below this line ----
from . import nn, optim, utils  # noqa: E402,F401

# ---- what notebooks get beyond PyTorch: the nabla command's explanations, inline ----
from .notebook import demo, explore, trace  # noqa: E402,F401
from . import viz  # noqa: E402,F401
from .training import train  # noqa: E402,F401
