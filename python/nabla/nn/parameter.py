"""nabla.nn.parameter — ``Parameter``: a tensor that a Module owns and an optimizer trains.

As ``torch.nn.Parameter``: a Tensor subclass, made a leaf that requires grad (unless
``requires_grad=False``), sharing the memory of the tensor it wraps. Assigning one to a Module
attribute registers it.

    w = nn.Parameter(nabla.randn(3, 2))
    w.requires_grad, w.is_leaf       # True, True
"""
from .. import Tensor, empty

__all__ = ["Parameter"]


class Parameter(Tensor):
    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter: data must be a Tensor, got {type(data).__name__}")
        # A detached alias of `data`: the parameter is a leaf over the same memory.
        Tensor.__init__(self, data.detach())
        self.requires_grad_(requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + Tensor.__repr__(self)

    def __reduce_ex__(self, proto):
        return (Parameter, (self.detach(), self.requires_grad))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = Parameter(self.detach().clone(), self.requires_grad)
        memo[id(self)] = result
        return result
