"""nabla.nn.init — torch.nn.init's initialisers, filling a tensor in place with nabla's C++
(include/nabla/nn/init.h): the same draws as torch's after the same manual_seed.

    nabla.manual_seed(0)
    w = nabla.empty(64, 2)
    nn.init.kaiming_uniform_(w, a=math.sqrt(5))   # == torch.nn.init.kaiming_uniform_ after torch.manual_seed(0)
"""

from .. import _C, no_grad

_nn = _C._nn

__all__ = [
    "calculate_gain", "uniform_", "normal_", "constant_", "zeros_", "ones_", "xavier_uniform_", "xavier_normal_",
    "kaiming_uniform_", "kaiming_normal_",
]


def calculate_gain(nonlinearity, param=None):
    if param is not None and not isinstance(param, (int, float)):
        raise ValueError(f"negative_slope {param} not a valid number")
    return _nn.calculate_gain(nonlinearity, None if param is None else float(param))


def _calculate_fan_in_and_fan_out(tensor):
    return _nn.calculate_fan_in_and_fan_out(tensor)


def _fill(fn, tensor, *args):
    with no_grad():
        fn(tensor, *args)
    return tensor


def uniform_(tensor, a=0.0, b=1.0):
    return _fill(_nn.uniform_, tensor, float(a), float(b))


def normal_(tensor, mean=0.0, std=1.0):
    return _fill(_nn.normal_, tensor, float(mean), float(std))


def constant_(tensor, val):
    return _fill(_nn.constant_, tensor, float(val))


def zeros_(tensor):
    return _fill(_nn.zeros_, tensor)


def ones_(tensor):
    return _fill(_nn.ones_, tensor)


def xavier_uniform_(tensor, gain=1.0):
    return _fill(_nn.xavier_uniform_, tensor, float(gain))


def xavier_normal_(tensor, gain=1.0):
    return _fill(_nn.xavier_normal_, tensor, float(gain))


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu"):
    return _fill(_nn.kaiming_uniform_, tensor, float(a), mode, nonlinearity)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu"):
    return _fill(_nn.kaiming_normal_, tensor, float(a), mode, nonlinearity)
