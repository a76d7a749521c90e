"""optim.SGD (momentum, dampening, Nesterov, weight decay) as torch's; the update is nabla's C++."""
from ._cpp import _CppOptimizer
from .optimizer import required

__all__ = ["SGD"]


class SGD(_CppOptimizer):
    _cpp_name = "SGD"
    _cpp_keys = ("lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize")

    def __init__(self, params, lr=required, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False):
        if lr is not required and lr < 0.0:
            raise ValueError("Invalid learning rate: {}".format(lr))
        if momentum < 0.0:
            raise ValueError("Invalid momentum value: {}".format(momentum))
        if weight_decay < 0.0:
            raise ValueError("Invalid weight_decay value: {}".format(weight_decay))
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov,
                        maximize=maximize, foreach=foreach, differentiable=differentiable)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def _param_state(self, g, i, p):
        s = super()._param_state(g, i, p)
        if s is not None:
            s.setdefault("momentum_buffer", None)  # torch keeps None without momentum
        return s
