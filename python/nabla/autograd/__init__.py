"""nabla.autograd: gradients of chosen outputs (grad), backward over several tensors, grad mode.

    x = nabla.tensor(2.0, requires_grad=True)
    (dy,) = nabla.autograd.grad(x ** 3, x, create_graph=True)   # 3x^2 = 12, differentiable again
    (d2y,) = nabla.autograd.grad(dy, x)                            # 6x = 12
"""
import functools

from .. import _C
from .._C import Node  # noqa: F401  (the type of Tensor.grad_fn)

__all__ = ["grad", "backward", "Variable", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "inference_mode"]


def _as_sequence(x):
    if x is None:
        return None
    if isinstance(x, _C.Tensor):
        return [x]
    return list(x)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=False,
         only_inputs=True, is_grads_batched=False):
    """d(sum_i <outputs_i, grad_outputs_i>) / d inputs_j for every j, as torch.autograd.grad: a tuple,
    with None for an input not reached when allow_unused=True. Leaves' .grad is not touched."""
    if is_grads_batched:
        raise _C.ValueError("autograd.grad: is_grads_batched is not supported by nabla")
    return _C._grad(_as_sequence(outputs), _as_sequence(inputs), _as_sequence(grad_outputs), retain_graph,
                    create_graph, allow_unused)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulates d tensors / d leaves into the leaves' .grad (as torch.autograd.backward)."""
    if inputs is not None:
        raise _C.ValueError("autograd.backward: the inputs= argument is not supported by nabla")
    _C._backward(_as_sequence(tensors), _as_sequence(grad_tensors), retain_graph, create_graph)


def Variable(data, requires_grad=False, volatile=False):
    """Old PyTorch's Variable: now just a tensor (that requires grad if asked)."""
    t = data if isinstance(data, _C.Tensor) else _C.Tensor(data)
    if requires_grad:
        t.requires_grad_(True)
    return t


def is_grad_enabled():
    return _C.is_grad_enabled()


class _GradMode:
    """A context manager and decorator (@no_grad() or @no_grad) that sets grad mode inside and
    restores it after."""

    mode = True

    def __new__(cls, *args, **kwargs):
        if len(args) == 1 and not kwargs and callable(args[0]) and cls is not set_grad_enabled:
            return cls()(args[0])  # used as a bare decorator
        return super().__new__(cls)

    def __enter__(self):
        self._previous = _C.is_grad_enabled()
        _C._set_grad_enabled(self.mode)
        return self

    def __exit__(self, *exc):
        _C._set_grad_enabled(self._previous)
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """No graph is recorded inside (with nabla.no_grad(): ..., or @nabla.no_grad())."""

    mode = False


class enable_grad(_GradMode):
    """Graphs are recorded inside, even within no_grad."""

    mode = True


class inference_mode(_GradMode):
    """As no_grad (nabla has no separate inference mode)."""

    def __init__(self, mode=True):
        self.mode = not mode


class set_grad_enabled(_GradMode):
    """set_grad_enabled(False) switches grad mode now (as a function call) or for a with block."""

    def __init__(self, mode):
        self.mode = bool(mode)
        self._previous = _C.is_grad_enabled()
        _C._set_grad_enabled(self.mode)

    def __enter__(self):
        return self

    def __call__(self, fn):
        mode = self.mode
        _C._set_grad_enabled(self._previous)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper


from . import functional  # noqa: E402  (uses grad, defined above)
