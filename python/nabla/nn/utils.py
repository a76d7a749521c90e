"""nabla.nn.utils — gradient clipping as torch.nn.utils, computed in C++ (optim/clip_grad.h)."""
from .. import Tensor, _C, full

__all__ = ["clip_grad_norm_", "clip_grad_value_", "parameters_to_vector"]


def _with_grad(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """Scales the gradients so that their joint norm is at most max_norm; returns the norm
    before clipping (a float32 scalar tensor, as torch's for float32 parameters)."""
    params = _with_grad(parameters)
    if not params:
        return full((), 0.0)
    norm = _C._optim.clip_grad_norm_(params, float(max_norm), float(norm_type), bool(error_if_nonfinite))
    return full((), norm, dtype=params[0].dtype)


def clip_grad_value_(parameters, clip_value):
    params = _with_grad(parameters)
    if params:
        _C._optim.clip_grad_value_(params, float(clip_value))


def parameters_to_vector(parameters):
    from .. import cat
    return cat([p.reshape(-1) for p in parameters])
