#!/usr/bin/python3
"""Golden values for nabla's nn modules and losses, computed by PyTorch (Debian python3-torch 1.13).

Sections of the output:
  cases      one module (layer, loss or small net) on fixed inputs and fixed weights: its
             state_dict (loaded by name into the nabla module, which checks the names too), its
             repr, the output, the gradient of sum(out * w) w.r.t. every float input and every
             parameter (w = linspace(0.5, 1.5)), the second-order term d/d(inputs, params) of
             sum_j <grad_j, v_j> (v_j = linspace(-1, 1)), and the state_dict after the forward
             (BatchNorm's running statistics; empty for modules without buffers).
  bn_steps   BatchNorm1d trained for a few steps: running statistics after each, then eval.
  linear_init / init / dropout
             values drawn after torch.manual_seed(s): nabla must reproduce them bit for bit.
All tensors float64 unless marked (float32 values are exact in a double).
Run: /usr/bin/python3 tests/golden/gen_nn_golden.py > tests/golden/nn_golden.json
"""
import json
import math
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def vals(shape, seed, lo=-2.0, hi=2.0, avoid_zero=False):
    g = torch.Generator().manual_seed(seed)
    t = torch.rand(shape, generator=g) * (hi - lo) + lo
    if avoid_zero:
        t = torch.where(t.abs() < 0.2, t.sign() * 0.2 + (t == 0) * 0.2, t)
    return t


def enc(t):
    t = t.detach()
    d = {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", "")}
    if t.dtype in (torch.int64,):
        d["data"] = [int(v) for v in t.reshape(-1).tolist()]
    else:
        # (adding into fresh zeros materialises expanded / lazily-zero gradients)
        d["data"] = [float(v) for v in torch.zeros(t.shape, dtype=torch.float64).add(t.double()).reshape(-1).tolist()]
    return d


def randomize(module, seed):
    """Non-trivial, reproducible parameters and buffers (norm scales near 1, variances > 0)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in module.named_parameters():
            base = name.rsplit(".", 1)[-1]
            if isinstance(_owner(module, name), (nn.BatchNorm1d, nn.LayerNorm, nn.GroupNorm)) and base == "weight":
                p.copy_(1.0 + 0.3 * (torch.rand(p.shape, generator=g) * 2 - 1))
            else:
                p.copy_((torch.rand(p.shape, generator=g) * 2 - 1) * 0.8)
    return module


def _owner(module, dotted):
    parts = dotted.split(".")[:-1]
    m = module
    for p in parts:
        m = getattr(m, p)
    return m


class Step(nn.Module):  # nabla's threshold unit; torch's heaviside has no gradient, so grads are 0
    def forward(self, x):
        return (x > 0).to(x.dtype) + 0.0 * x


class HalfMSELoss(nn.Module):
    def __init__(self, reduction="mean"):
        super().__init__()
        self.reduction = reduction

    def forward(self, x, y):
        return 0.5 * F.mse_loss(x, y, reduction=self.reduction)


class ResidualNet(nn.Module):
    """The seed-002 net 2-64-64-64-1 (ReLU) with a skip: hidden layer 1's output is added to the
    pre-activation of hidden layer 3."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 64)
        self.fc2 = nn.Linear(64, 64)
        self.fc3 = nn.Linear(64, 64)
        self.out = nn.Linear(64, 1)

    def forward(self, x):
        h1 = torch.relu(self.fc1(x))
        h2 = torch.relu(self.fc2(h1))
        h3 = torch.relu(self.fc3(h2) + h1)
        return self.out(h3)


CASES = []


def case(name, module, inputs, grad_inputs=None, train=True, randomize_seed=None, prepare=None):
    """inputs: tensors; grad_inputs: which of them require grad (default: the floating ones)."""
    if randomize_seed is not None:
        randomize(module, randomize_seed)
    if prepare:
        prepare(module)
    if grad_inputs is None:
        grad_inputs = [t.is_floating_point() for t in inputs]
    CASES.append((name, module, inputs, grad_inputs, train))


def run_case(name, module, inputs, grad_inputs, train):
    module.train(train)
    state = OrderedDict((k, v.clone()) for k, v in module.state_dict().items())
    xs = [t.clone().requires_grad_(r) for t, r in zip(inputs, grad_inputs)]
    params = [p for _, p in module.named_parameters()]
    y = module(*xs)
    after = module.state_dict()
    wrt = [x for x, r in zip(xs, grad_inputs) if r] + params
    w = torch.linspace(0.5, 1.5, y.numel()).reshape(y.shape)
    if y.requires_grad:
        grads = torch.autograd.grad((y * w).sum(), wrt, create_graph=True, allow_unused=True)
    else:
        grads = [None] * len(wrt)
    grads = [g if g is not None else torch.zeros_like(x) for g, x in zip(grads, wrt)]
    s = sum((g * torch.linspace(-1.0, 1.0, g.numel()).reshape(g.shape)).sum() for g in grads)
    if torch.is_tensor(s) and s.requires_grad:
        gg = torch.autograd.grad(s, wrt, allow_unused=True)
        gg = [g if g is not None else torch.zeros_like(x) for g, x in zip(gg, wrt)]
    else:
        gg = [torch.zeros_like(x) for x in wrt]
    n_in = sum(grad_inputs)
    names = [n for n, _ in module.named_parameters()]
    return {
        "name": name,
        "repr": repr(module),
        "train": train,
        "inputs": [dict(enc(t), requires_grad=bool(r)) for t, r in zip(inputs, grad_inputs)],
        "state": [[k, enc(v)] for k, v in state.items()],
        "output": enc(y),
        "input_grads": [enc(g) for g in grads[:n_in]],
        "param_grads": [[n, enc(g)] for n, g in zip(names, grads[n_in:])],
        "input_grad2": [enc(g) for g in gg[:n_in]],
        "param_grad2": [[n, enc(g)] for n, g in zip(names, gg[n_in:])],
        # only where there are buffers to change (BatchNorm's running statistics)
        "state_after": [[k, enc(v)] for k, v in after.items()] if list(module.buffers()) else [],
    }


# ---------------------------------------------------------------- layers
x53 = vals((5, 3), 1)
case("linear", nn.Linear(3, 4), [x53], randomize_seed=100)
case("linear_nobias", nn.Linear(3, 4, bias=False), [x53], randomize_seed=101)
case("linear_3d", nn.Linear(3, 2), [vals((2, 4, 3), 2)], randomize_seed=102)
case("linear_1d", nn.Linear(3, 2), [vals((3,), 3)], randomize_seed=103)

a = vals((4, 5), 4, avoid_zero=True)
case("sigmoid", nn.Sigmoid(), [a])
case("tanh", nn.Tanh(), [a])
case("relu", nn.ReLU(), [a])
case("leaky_relu", nn.LeakyReLU(0.2), [a])
case("leaky_relu_default", nn.LeakyReLU(), [a])
case("elu", nn.ELU(alpha=1.3), [a])
case("selu", nn.SELU(), [a])
case("gelu", nn.GELU(), [a])
case("gelu_tanh", nn.GELU(approximate="tanh"), [a])
case("silu", nn.SiLU(), [a])
case("softplus", nn.Softplus(), [a])
case("softplus_beta", nn.Softplus(beta=2.0, threshold=3.0), [vals((4, 5), 5, -3, 3)])
case("step", Step(), [a])
case("softmax", nn.Softmax(dim=1), [a])
case("softmax_dim0", nn.Softmax(dim=0), [a])
case("log_softmax", nn.LogSoftmax(dim=1), [a])
case("identity", nn.Identity(), [a])
case("flatten", nn.Flatten(), [vals((2, 3, 4), 6)])
case("flatten_all", nn.Flatten(0), [vals((2, 3, 4), 6)])
case("dropout_eval", nn.Dropout(0.4), [a], train=False)
case("dropout_p0", nn.Dropout(0.0), [a])


def running(seed, c):
    def prep(m):
        g = torch.Generator().manual_seed(seed)
        m.running_mean.copy_(torch.rand(c, generator=g) - 0.5)
        m.running_var.copy_(torch.rand(c, generator=g) + 0.5)
        m.num_batches_tracked.fill_(3)
    return prep


case("batchnorm1d_2d", nn.BatchNorm1d(3), [vals((6, 3), 7)], randomize_seed=104, prepare=running(200, 3))
case("batchnorm1d_3d", nn.BatchNorm1d(3, momentum=0.3), [vals((4, 3, 5), 8)], randomize_seed=105,
     prepare=running(201, 3))
case("batchnorm1d_eval", nn.BatchNorm1d(3), [vals((6, 3), 9)], randomize_seed=106, prepare=running(202, 3),
     train=False)
case("batchnorm1d_eval_3d", nn.BatchNorm1d(3, eps=1e-3), [vals((2, 3, 4), 10)], randomize_seed=107,
     prepare=running(203, 3), train=False)
case("batchnorm1d_noaffine", nn.BatchNorm1d(4, affine=False), [vals((5, 4), 11)], prepare=running(204, 4))
case("batchnorm1d_cumulative", nn.BatchNorm1d(3, momentum=None), [vals((6, 3), 12)], randomize_seed=108,
     prepare=running(205, 3))
case("batchnorm1d_untracked", nn.BatchNorm1d(3, track_running_stats=False), [vals((6, 3), 13)],
     randomize_seed=109)
case("batchnorm1d_untracked_eval", nn.BatchNorm1d(3, track_running_stats=False), [vals((6, 3), 13)],
     randomize_seed=109, train=False)
case("layernorm", nn.LayerNorm(5), [vals((4, 5), 14)], randomize_seed=110)
case("layernorm_2d_shape", nn.LayerNorm([3, 4], eps=1e-3), [vals((2, 3, 4), 15)], randomize_seed=111)
case("layernorm_noaffine", nn.LayerNorm(5, elementwise_affine=False), [vals((4, 5), 16)])
case("groupnorm", nn.GroupNorm(2, 6), [vals((3, 6), 17)], randomize_seed=112)
case("groupnorm_3d", nn.GroupNorm(3, 6, eps=1e-3), [vals((2, 6, 4), 18)], randomize_seed=113)
case("groupnorm_noaffine", nn.GroupNorm(1, 4, affine=False), [vals((2, 4, 3), 19)])

case("sequential_mlp", nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1)), [vals((4, 2), 20)],
     randomize_seed=114)
case("sequential_mixed",
     nn.Sequential(nn.Linear(3, 6), nn.BatchNorm1d(6), nn.GELU(), nn.Dropout(0.5), nn.Linear(6, 6),
                   nn.LayerNorm(6), nn.SiLU(), nn.Linear(6, 2), nn.LogSoftmax(dim=1)),
     [vals((5, 3), 21)], randomize_seed=115, train=False)
case("residual_net", ResidualNet(), [vals((6, 2), 22)], randomize_seed=116)

# ---------------------------------------------------------------- losses
p = vals((3, 4), 30)
t = vals((3, 4), 31)
for red in ("mean", "sum", "none"):
    case(f"mse_{red}", nn.MSELoss(reduction=red), [p, t])
    case(f"half_mse_{red}", HalfMSELoss(reduction=red), [p, t])
    case(f"l1_{red}", nn.L1Loss(reduction=red), [p, t])

prob = vals((3, 4), 32, 0.05, 0.95)
lab = (vals((3, 4), 33, 0, 1) > 0.5).double()
soft = vals((3, 4), 34, 0, 1)
for red in ("mean", "sum", "none"):
    case(f"bce_{red}", nn.BCELoss(reduction=red), [prob, lab], grad_inputs=[True, False])
case("bce_soft_targets", nn.BCELoss(), [prob, soft], grad_inputs=[True, False])
case("bce_weight", nn.BCELoss(weight=vals((4,), 35, 0.5, 2.0)), [prob, lab], grad_inputs=[True, False])

logit = vals((3, 4), 36, -4, 4)
for red in ("mean", "sum", "none"):
    case(f"bce_logits_{red}", nn.BCEWithLogitsLoss(reduction=red), [logit, lab], grad_inputs=[True, False])
case("bce_logits_soft_targets", nn.BCEWithLogitsLoss(), [logit, soft])
case("bce_logits_large", nn.BCEWithLogitsLoss(reduction="none"),
     [torch.tensor([[-60.0, -30.0, 30.0, 60.0], [-1.0, 0.5, 1.0, 2.0]]),
      torch.tensor([[1.0, 0.0, 1.0, 0.0], [0.3, 0.7, 1.0, 0.0]])], grad_inputs=[True, False])
case("bce_logits_pos_weight", nn.BCEWithLogitsLoss(pos_weight=vals((4,), 37, 0.5, 3.0)), [logit, soft])
case("bce_logits_weight_pos_weight",
     nn.BCEWithLogitsLoss(weight=vals((3, 1), 38, 0.5, 2.0), pos_weight=vals((4,), 39, 0.5, 3.0),
                          reduction="sum"), [logit, lab], grad_inputs=[True, False])

logits = vals((5, 4), 40, -3, 3)
cls = torch.tensor([0, 3, 1, 3, 2])
cls_ign = torch.tensor([0, -100, 1, 3, -100])
cls_ign7 = torch.tensor([0, 7, 1, 3, 2])
cw = vals((4,), 41, 0.5, 2.0)
for red in ("mean", "sum", "none"):
    case(f"cross_entropy_{red}", nn.CrossEntropyLoss(reduction=red), [logits, cls])
    case(f"cross_entropy_smooth_{red}", nn.CrossEntropyLoss(reduction=red, label_smoothing=0.1), [logits, cls])
    case(f"cross_entropy_weight_{red}", nn.CrossEntropyLoss(weight=cw, reduction=red), [logits, cls])
    case(f"cross_entropy_ignore_smooth_{red}", nn.CrossEntropyLoss(reduction=red, label_smoothing=0.2),
         [logits, cls_ign])
    case(f"cross_entropy_weight_ignore_smooth_{red}",
         nn.CrossEntropyLoss(weight=cw, reduction=red, label_smoothing=0.3, ignore_index=7), [logits, cls_ign7])
    case(f"nll_{red}", nn.NLLLoss(reduction=red), [F.log_softmax(logits, 1), cls])
    case(f"nll_weight_ignore_{red}", nn.NLLLoss(weight=cw, ignore_index=-100, reduction=red),
         [F.log_softmax(logits, 1), cls_ign])
case("cross_entropy_ignore", nn.CrossEntropyLoss(), [logits, cls_ign])
case("cross_entropy_3d", nn.CrossEntropyLoss(label_smoothing=0.1), [vals((2, 4, 3), 42), torch.tensor([[0, 3, 1], [2, 2, 0]])])
case("cross_entropy_unbatched", nn.CrossEntropyLoss(), [vals((4,), 43), torch.tensor(2)])
probs_t = F.softmax(vals((5, 4), 44), 1)
case("cross_entropy_probs", nn.CrossEntropyLoss(), [logits, probs_t])
case("cross_entropy_probs_smooth_weight", nn.CrossEntropyLoss(weight=cw, label_smoothing=0.2, reduction="sum"),
     [logits, probs_t])
case("nll_3d", nn.NLLLoss(), [F.log_softmax(vals((2, 4, 3), 45), 1), torch.tensor([[0, 3, 1], [2, 2, 0]])])

cases_out = [run_case(*c) for c in CASES]
for c in cases_out:
    if c["name"] == "step":
        c["repr"] = "Step()"


# ---------------------------------------------------------------- BatchNorm over several steps
def bn_steps(name, momentum, shape, seed):
    torch.manual_seed(0)
    bn = nn.BatchNorm1d(shape[1], momentum=momentum)
    randomize(bn, seed)
    init = [[k, enc(v)] for k, v in bn.state_dict().items()]
    steps = []
    for i in range(3):
        x = vals(shape, seed + 1 + i).requires_grad_()
        y = bn(x)
        (y * torch.linspace(0.5, 1.5, y.numel()).reshape(y.shape)).sum().backward()
        steps.append({"input": enc(x), "output": enc(y), "input_grad": enc(x.grad),
                      "state": [[k, enc(v)] for k, v in bn.state_dict().items()]})
    bn.eval()
    x = vals(shape, seed + 10).requires_grad_()
    y = bn(x)
    (y * torch.linspace(0.5, 1.5, y.numel()).reshape(y.shape)).sum().backward()
    return {"name": name, "momentum": momentum, "init": init, "steps": steps, "eval_input": enc(x),
            "eval_output": enc(y), "eval_input_grad": enc(x.grad)}


bn_out = [bn_steps("bn_momentum", 0.1, (8, 3), 300), bn_steps("bn_cumulative", None, (5, 2, 3), 310)]


# ---------------------------------------------------------------- RNG-exact: Linear init, init_, dropout
def linear_init(seed, sizes, dtype, bias=True):
    torch.manual_seed(seed)
    with_dtype = {"dtype": dtype}
    layers = [nn.Linear(i, o, bias=bias, **with_dtype) for i, o in sizes]
    after = torch.rand(3, dtype=torch.float64)  # the stream position after the layers
    return {"seed": seed, "sizes": sizes, "dtype": str(dtype).replace("torch.", ""), "bias": bias,
            "layers": [[[n, enc(p)] for n, p in l.named_parameters()] for l in layers], "rand_after": enc(after)}


linear_out = [
    linear_init(0, [[2, 64], [64, 64], [64, 64], [64, 1]], torch.float64),
    linear_init(2, [[2, 64], [64, 64], [64, 64], [64, 1]], torch.float32),
    linear_init(7, [[3, 5]], torch.float32, bias=False),
    linear_init(123, [[10, 4], [4, 3]], torch.float64),
]
# The seed-002 net as a Sequential, created after manual_seed(2): names and values.
torch.manual_seed(2)
seed002 = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(),
                        nn.Linear(64, 1))
seed002_out = {"repr": repr(seed002), "state": [[k, enc(v)] for k, v in seed002.state_dict().items()]}
torch.manual_seed(2)
residual = ResidualNet()
residual_out = {"repr": repr(residual), "state": [[k, enc(v)] for k, v in residual.state_dict().items()]}


def init_case(name, fn, shape, dtype, seed):
    torch.manual_seed(seed)
    t = torch.empty(shape, dtype=dtype)
    fn(t)
    return {"name": name, "shape": list(shape), "dtype": str(dtype).replace("torch.", ""), "seed": seed,
            "value": enc(t)}


init_out = []
for dtype in (torch.float32, torch.float64):
    for shape in ((64, 2), (3, 4)):
        init_out += [
            init_case("xavier_uniform", lambda t: nn.init.xavier_uniform_(t), shape, dtype, 1),
            init_case("xavier_uniform_gain", lambda t: nn.init.xavier_uniform_(t, gain=nn.init.calculate_gain("tanh")),
                      shape, dtype, 2),
            init_case("xavier_normal", lambda t: nn.init.xavier_normal_(t), shape, dtype, 3),
            init_case("kaiming_uniform_relu", lambda t: nn.init.kaiming_uniform_(t, nonlinearity="relu"), shape, dtype, 4),
            init_case("kaiming_normal_fan_out", lambda t: nn.init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"),
                      shape, dtype, 5),
            init_case("kaiming_uniform_leaky", lambda t: nn.init.kaiming_uniform_(t, a=0.1), shape, dtype, 6),
            init_case("normal", lambda t: nn.init.normal_(t, 0.5, 2.0), shape, dtype, 7),
            init_case("uniform", lambda t: nn.init.uniform_(t, -0.3, 0.7), shape, dtype, 8),
        ]


def dropout_case(name, p, shape, dtype, seed, calls=2):
    torch.manual_seed(seed)
    x = vals(shape, 50, 0.5, 2.0).to(dtype)
    outs = []
    for _ in range(calls):
        xi = x.clone().requires_grad_()
        y = F.dropout(xi, p, training=True)
        y.backward(torch.ones_like(y))
        outs.append({"output": enc(y), "input_grad": enc(xi.grad)})
    return {"name": name, "p": p, "dtype": str(dtype).replace("torch.", ""), "seed": seed, "input": enc(x),
            "calls": outs}


dropout_out = [
    dropout_case("dropout_half_f64", 0.5, (4, 6), torch.float64, 0),
    dropout_case("dropout_f32", 0.3, (5, 7), torch.float32, 1),
    dropout_case("dropout_p1", 1.0, (2, 3), torch.float64, 2),
    dropout_case("dropout_small_p", 0.1, (40,), torch.float64, 3),
    dropout_case("dropout_3d", 0.25, (2, 3, 4), torch.float32, 4),
]

print(json.dumps({"torch": torch.__version__, "cases": cases_out, "bn_steps": bn_out, "linear_init": linear_out,
                  "seed002": seed002_out, "residual": residual_out, "init": init_out, "dropout": dropout_out}))
