"""nabla.nn.functional — torch.nn.functional's names over nabla's C++ layers, losses and activations.

Every function computes in C++ (include/nabla/nn/functional.h, include/nabla/ops/ops.h): the
values and gradients are the engine's, they differentiate again, and nabla.compile captures
them. Signatures are torch's (the deprecated size_average / reduce arguments included).

    import nabla.nn.functional as F
    h = F.relu(F.linear(x, w, b))
    loss = F.cross_entropy(h, labels, label_smoothing=0.1)
"""
import warnings

from .. import _C

_nn = _C._nn

__all__ = [
    "linear", "dropout", "batch_norm", "layer_norm", "group_norm",
    "relu", "relu_", "sigmoid", "tanh", "leaky_relu", "elu", "selu", "gelu", "silu", "softplus", "step",
    "softmax", "log_softmax", "one_hot",
    "mse_loss", "l1_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits", "nll_loss", "cross_entropy",
]


def _legacy_reduction(size_average, reduce, reduction):
    """torch's _Reduction.legacy_get_string: the deprecated flags, when given, decide."""
    if size_average is None and reduce is None:
        return reduction
    warnings.warn("size_average and reduce args will be deprecated, please use reduction='{}' instead.".format(
        "none" if reduce is False else ("mean" if size_average is not False else "sum")))
    if size_average is None:
        size_average = True
    if reduce is None:
        reduce = True
    if size_average and reduce:
        return "mean"
    return "sum" if reduce else "none"


# ---- layers ----

def linear(input, weight, bias=None):
    return _nn.linear(input, weight, bias)


def dropout(input, p=0.5, training=True, inplace=False):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    return _maybe_inplace(input, _nn.dropout(input, float(p), bool(training)), inplace)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    return _nn.batch_norm(input, running_mean, running_var, weight, bias, bool(training), float(momentum), float(eps))


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    return _nn.layer_norm(input, list(normalized_shape), weight, bias, float(eps))


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    return _nn.group_norm(input, int(num_groups), weight, bias, float(eps))


# ---- activations ----

def _maybe_inplace(input, out, inplace):
    # NOTE: inplace=True computes out of place: code that uses the returned tensor (x = F.relu(x,
    # inplace=True), nn.ReLU(inplace=True) in a Sequential) gets torch's values and gradients,
    # without overwriting a tensor that autograd may still need.
    return out


def relu(input, inplace=False):
    return _maybe_inplace(input, _nn.relu(input), inplace)


def relu_(input):
    return relu(input, inplace=True)


def sigmoid(input):
    return _nn.sigmoid(input)


def tanh(input):
    return _nn.tanh(input)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    return _maybe_inplace(input, _nn.leaky_relu(input, float(negative_slope)), inplace)


def elu(input, alpha=1.0, inplace=False):
    return _maybe_inplace(input, _nn.elu(input, float(alpha)), inplace)


def selu(input, inplace=False):
    return _maybe_inplace(input, _nn.selu(input), inplace)


def gelu(input, approximate="none"):
    return _nn.gelu(input, approximate)


def silu(input, inplace=False):
    return _maybe_inplace(input, _nn.silu(input), inplace)


def softplus(input, beta=1, threshold=20):
    return _nn.softplus(input, float(beta), float(threshold))


def step(input):
    """nabla's threshold unit (1 where input > 0, else 0; zero gradient): the perceptron's."""
    return _nn.step(input)


def _softmax_dim(name, ndim):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. "
                  "Change the call to include dim=X as an argument.")
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("softmax", input.dim())
    if dtype is not None:
        input = input.to(dtype)
    return _nn.softmax(input, int(dim))


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("log_softmax", input.dim())
    if dtype is not None:
        input = input.to(dtype)
    return _nn.log_softmax(input, int(dim))


def one_hot(tensor, num_classes=-1):
    """int64 (*, num_classes); num_classes=-1: one more than the largest label, as torch."""
    if num_classes == -1:
        num_classes = int(tensor.max().item()) + 1 if tensor.numel() > 0 else 0
    return _nn.one_hot(tensor, int(num_classes))


# ---- losses ----

def mse_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    return _nn.mse_loss(input, target, _legacy_reduction(size_average, reduce, reduction))


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    return _nn.l1_loss(input, target, _legacy_reduction(size_average, reduce, reduction))


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    return _nn.binary_cross_entropy(input, target, weight, _legacy_reduction(size_average, reduce, reduction))


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction="mean",
                                     pos_weight=None):
    return _nn.binary_cross_entropy_with_logits(input, target, weight, pos_weight,
                                                _legacy_reduction(size_average, reduce, reduction))


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    return _nn.nll_loss(input, target, weight, int(ignore_index), _legacy_reduction(size_average, reduce, reduction))


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                  label_smoothing=0.0):
    return _nn.cross_entropy(input, target, weight, int(ignore_index),
                             _legacy_reduction(size_average, reduce, reduction), float(label_smoothing))
