"""nabla.autograd.functional: Jacobians and Hessians of Python functions of tensors, built on
nabla.autograd.grad (one backward pass per output element), as torch.autograd.functional.

    f = lambda w: (w ** 3).sum()
    H = nabla.autograd.functional.hessian(f, nabla.tensor([1.0, 2.0]))   # diag(6w)
"""
from .. import _C
from . import grad

__all__ = ["jacobian", "hessian"]


def _rows(output, inputs, create_graph):
    """d output / d inputs, as one (output.numel, *input.shape) block per input."""
    flat = output.reshape(-1)
    blocks = [[] for _ in inputs]
    for k in range(flat.numel()):
        element = flat._select(0, k)
        if element.requires_grad:
            gs = grad(element, inputs, retain_graph=True, create_graph=create_graph, allow_unused=True)
        else:
            gs = (None,) * len(inputs)
        for i, (g, x) in enumerate(zip(gs, inputs)):
            blocks[i].append(_C.zeros_like(x) if g is None else g)
    shape = tuple(output.shape)
    return tuple((_C.stack(b) if b else _C.zeros(0, *x.shape, dtype=x.dtype)).reshape(*shape, *x.shape)
                 for b, x in zip(blocks, inputs))


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """The Jacobian of func at inputs: for one input and one output a tensor of shape
    output.shape + input.shape; tuples of them where func takes or returns tuples."""
    tuple_in = isinstance(inputs, (tuple, list))
    xs = tuple(x.detach().requires_grad_(True) for x in (inputs if tuple_in else (inputs,)))
    with _C_enable_grad():
        outputs = func(*xs)
        tuple_out = isinstance(outputs, (tuple, list))
        result = tuple(_rows(o, xs, create_graph) for o in (outputs if tuple_out else (outputs,)))
    if not create_graph:
        result = tuple(tuple(b.detach() for b in r) for r in result)
    result = tuple(r if tuple_in else r[0] for r in result)
    return result if tuple_out else result[0]


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a scalar-valued func at inputs: input.shape + input.shape for one input,
    a tuple of tuples of blocks for several."""
    tuple_in = isinstance(inputs, (tuple, list))

    def gradient(*xs):
        out = func(*xs)
        gs = grad(out, xs, create_graph=True, allow_unused=True)
        gs = tuple(_C.zeros_like(x) if g is None else g for g, x in zip(gs, xs))
        return gs if tuple_in else gs[0]

    return jacobian(gradient, inputs, create_graph=create_graph)


class _C_enable_grad:
    def __enter__(self):
        self.previous = _C.is_grad_enabled()
        _C._set_grad_enabled(True)

    def __exit__(self, *exc):
        _C._set_grad_enabled(self.previous)
        return False
