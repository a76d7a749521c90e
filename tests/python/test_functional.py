"""nabla.nn.functional against torch.nn.functional: values and gradients (float64, to ~1e-12),
the losses with every reduction and their options, and the loss modules."""
import pytest
import torch

import nabla
import nabla.nn.functional as F
from nabla import nn
from nn_oracle import close, to_nabla

TF = torch.nn.functional
RTOL, ATOL = 1e-12, 1e-14


def pair(*shape, low=None, high=None, seed=0):
    torch.manual_seed(seed)
    t = torch.randn(*shape, dtype=torch.float64)
    if low is not None:
        t = torch.rand(*shape, dtype=torch.float64) * (high - low) + low
    t.requires_grad_(True)
    return t, to_nabla(t, requires_grad=True)


def check(tfn, nfn, inputs, rtol=RTOL, atol=ATOL):
    """tfn(*torch inputs) vs nfn(*nabla inputs): values, and the gradients of a weighted sum."""
    ty, ny = tfn(*[t for t, _ in inputs]), nfn(*[n for _, n in inputs])
    close(ny, ty, rtol=rtol, atol=atol)
    torch.manual_seed(99)
    w = torch.randn(ty.shape, dtype=ty.dtype)
    (ty * w).sum().backward()
    (ny * to_nabla(w)).sum().backward()
    for t, n in inputs:
        if t.requires_grad:
            close(n.grad, t.grad, rtol=rtol * 100, atol=atol * 100)


ACTIVATIONS = [
    ("relu", {}), ("sigmoid", {}), ("tanh", {}), ("leaky_relu", {"negative_slope": 0.2}), ("elu", {"alpha": 0.7}),
    ("selu", {}), ("gelu", {}), ("gelu", {"approximate": "tanh"}), ("silu", {}), ("softplus", {"beta": 2}),
    ("softmax", {"dim": 1}), ("log_softmax", {"dim": 1}), ("softmax", {"dim": -1}), ("log_softmax", {"dim": 0}),
]


@pytest.mark.parametrize("name,kwargs", ACTIVATIONS)
def test_activations(name, kwargs):
    x = pair(3, 4)
    check(lambda a: getattr(TF, name)(a, **kwargs), lambda a: getattr(F, name)(a, **kwargs), [x])


def test_linear_dropout_norms():
    x, w, b = pair(5, 3, seed=1), pair(4, 3, seed=2), pair(4, seed=3)
    check(TF.linear, F.linear, [x, w, b])
    check(lambda a, c: TF.linear(a, c), lambda a, c: F.linear(a, c), [pair(2, 3), pair(4, 3, seed=5)])
    x = pair(6, 4, seed=4)
    g, bb = pair(4, seed=6), pair(4, seed=7)
    check(lambda a, c, d: TF.batch_norm(a, None, None, c, d, training=True),
          lambda a, c, d: F.batch_norm(a, None, None, c, d, training=True), [x, g, bb], rtol=1e-11)
    check(lambda a: TF.layer_norm(a, (4,)), lambda a: F.layer_norm(a, (4,)), [pair(3, 4)], rtol=1e-11)
    check(lambda a: TF.group_norm(a, 2), lambda a: F.group_norm(a, 2), [pair(3, 4, 2)], rtol=1e-11)
    torch.manual_seed(8)
    td = TF.dropout(torch.ones(50), p=0.4)
    nabla.manual_seed(8)
    close(F.dropout(nabla.ones(50), p=0.4), td)
    close(F.dropout(nabla.ones(5), p=0.4, training=False), torch.ones(5))
    with pytest.raises(ValueError):
        F.dropout(nabla.ones(2), p=-0.1)


def test_batch_norm_updates_running_stats():
    torch.manual_seed(0)
    x = torch.randn(8, 3, dtype=torch.float64)
    trm, trv = torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
    nrm, nrv = to_nabla(trm), to_nabla(trv)
    close(F.batch_norm(to_nabla(x), nrm, nrv, training=True, momentum=0.3),
          TF.batch_norm(x, trm, trv, training=True, momentum=0.3), rtol=RTOL)
    close(nrm, trm, rtol=RTOL)
    close(nrv, trv, rtol=RTOL)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_regression_and_binary_losses(reduction):
    a, b = pair(4, 3, seed=1), pair(4, 3, seed=2)
    b[0].requires_grad_(False), b[1].requires_grad_(False)
    check(lambda x, y: TF.mse_loss(x, y, reduction=reduction), lambda x, y: F.mse_loss(x, y, reduction=reduction),
          [a, b])
    check(lambda x, y: TF.l1_loss(x, y, reduction=reduction), lambda x, y: F.l1_loss(x, y, reduction=reduction),
          [pair(4, 3, seed=3), b])
    p, y = pair(4, 3, low=0.05, high=0.95, seed=4), pair(4, 3, low=0.0, high=1.0, seed=5)
    y[0].requires_grad_(False), y[1].requires_grad_(False)
    w = pair(3, low=0.5, high=2.0, seed=6)
    w[0].requires_grad_(False), w[1].requires_grad_(False)
    check(lambda x, t: TF.binary_cross_entropy(x, t, reduction=reduction),
          lambda x, t: F.binary_cross_entropy(x, t, reduction=reduction), [p, y])
    check(lambda x, t, ww: TF.binary_cross_entropy(x, t, weight=ww, reduction=reduction),
          lambda x, t, ww: F.binary_cross_entropy(x, t, weight=ww, reduction=reduction), [p, y, w])
    z = pair(4, 3, seed=7)
    check(lambda x, t: TF.binary_cross_entropy_with_logits(x, t, reduction=reduction),
          lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction=reduction), [z, y])
    check(lambda x, t, pw: TF.binary_cross_entropy_with_logits(x, t, pos_weight=pw, reduction=reduction),
          lambda x, t, pw: F.binary_cross_entropy_with_logits(x, t, pos_weight=pw, reduction=reduction), [z, y, w])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("options", [{}, {"ignore_index": 2}, {"weight": True}, {"label_smoothing": 0.1},
                                     {"weight": True, "ignore_index": 0, "label_smoothing": 0.2}])
def test_classification_losses(reduction, options):
    logits = pair(6, 4, seed=9)
    labels = torch.tensor([0, 3, 2, 1, 2, 3])
    kw_t = dict(options, reduction=reduction)
    if kw_t.pop("weight", False):
        kw_t["weight"] = torch.tensor([0.5, 1.0, 2.0, 1.5], dtype=torch.float64)
    kw_n = {k: (to_nabla(v) if isinstance(v, torch.Tensor) else v) for k, v in kw_t.items()}
    tl, nl = to_nabla(labels), to_nabla(labels)
    check(lambda x: TF.cross_entropy(x, labels, **kw_t), lambda x: F.cross_entropy(x, nl, **kw_n), [logits])
    kw_t.pop("label_smoothing", None), kw_n.pop("label_smoothing", None)
    check(lambda x: TF.nll_loss(TF.log_softmax(x, 1), labels, **kw_t),
          lambda x: F.nll_loss(F.log_softmax(x, 1), tl, **kw_n), [pair(6, 4, seed=10)])


def test_cross_entropy_with_probabilities_target():
    logits = pair(3, 5, seed=12)
    probs = torch.softmax(torch.randn(3, 5, dtype=torch.float64), 1)
    check(lambda x: TF.cross_entropy(x, probs), lambda x: F.cross_entropy(x, to_nabla(probs)), [logits])


def test_loss_modules_match_functional():
    torch.manual_seed(0)
    x, y = torch.randn(4, 3, dtype=torch.float64), torch.rand(4, 3, dtype=torch.float64)
    labels = torch.tensor([2, 0, 1, 1])
    for tmod, nmod, a, b in [
        (torch.nn.MSELoss(reduction="sum"), nn.MSELoss(reduction="sum"), x, y),
        (torch.nn.L1Loss(), nn.L1Loss(), x, y),
        (torch.nn.BCELoss(), nn.BCELoss(), torch.sigmoid(x), y),
        (torch.nn.BCEWithLogitsLoss(pos_weight=torch.full((3,), 2.0, dtype=torch.float64)),
         nn.BCEWithLogitsLoss(pos_weight=nabla.full((3,), 2.0, dtype=nabla.float64)), x, y),
        (torch.nn.CrossEntropyLoss(label_smoothing=0.05), nn.CrossEntropyLoss(label_smoothing=0.05), x, labels),
        (torch.nn.NLLLoss(reduction="none"), nn.NLLLoss(reduction="none"), torch.log_softmax(x, 1), labels),
    ]:
        close(nmod(to_nabla(a), to_nabla(b)), tmod(a, b), rtol=RTOL, atol=ATOL)
    with pytest.raises(ValueError):
        nn.MSELoss(reduction="average")
    assert list(nn.CrossEntropyLoss(weight=nabla.ones(3)).state_dict()) == ["weight"]


def test_loss_shape_errors():
    with pytest.raises(ValueError, match=r"\[4, 3\]|\(4, 3\)|4, 3"):
        F.mse_loss(nabla.zeros(4, 3), nabla.zeros(4))
    with pytest.raises(ValueError):
        F.cross_entropy(nabla.zeros(4, 3), nabla.tensor([0, 1, 2]))


def test_one_hot():
    labels = torch.tensor([0, 2, 1, 2])
    close(F.one_hot(to_nabla(labels)), TF.one_hot(labels))
    close(F.one_hot(to_nabla(labels), num_classes=5), TF.one_hot(labels, num_classes=5))
    assert F.one_hot(to_nabla(labels)).dtype == nabla.int64


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_bce_gradient_where_probabilities_saturate_is_torchs(dtype):
    # A sigmoid saturates to exactly 0 or 1 (the course's Sigmoid + BCELoss loop reaches it):
    # the loss is clamped, and the gradient is torch's finite one, not NaN.
    logits = torch.tensor([-120.0, 40.0, 40.0, -120.0, 0.3, -2.0], dtype=getattr(torch, dtype), requires_grad=True)
    y = torch.tensor([0.0, 1.0, 0.0, 1.0, 1.0, 0.0], dtype=getattr(torch, dtype))
    tl = TF.binary_cross_entropy(torch.sigmoid(logits), y)
    tl.backward()
    nlogits = to_nabla(logits, requires_grad=True)
    nl = F.binary_cross_entropy(F.sigmoid(nlogits), to_nabla(y))
    nl.backward()
    close(nl, tl, rtol=1e-6)
    close(nlogits.grad, logits.grad, rtol=1e-6)
    p = torch.tensor([0.0, 1.0, 1.0, 0.0, 0.25], dtype=torch.float64, requires_grad=True)
    yy = torch.tensor([0.0, 1.0, 0.0, 1.0, 1.0], dtype=torch.float64)
    TF.binary_cross_entropy(p, yy, reduction="sum").backward()
    np_ = to_nabla(p, requires_grad=True)
    F.binary_cross_entropy(np_, to_nabla(yy), reduction="sum").backward()
    close(np_.grad, p.grad, rtol=1e-12)
