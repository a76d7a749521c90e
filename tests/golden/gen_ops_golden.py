#!/usr/bin/python3
"""Golden values for nabla's ops, computed by PyTorch (Debian python3-torch).

For each case: the inputs, the output, the gradient of sum(out * w) for every input (w a fixed
weighting), and the second-order term d/dx <grad, v> (v fixed), all float64. The C++ test
(tests/ops/golden_test.cpp) runs the same cases by name and compares.
Run: /usr/bin/python3 tests/golden/gen_ops_golden.py > tests/golden/ops_golden.json
"""
import json
import math
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

def vals(shape, seed, lo=-2.0, hi=2.0, avoid_zero=False):
    g = torch.Generator().manual_seed(seed)
    t = torch.rand(shape, generator=g) * (hi - lo) + lo
    if avoid_zero:
        t = torch.where(t.abs() < 0.2, t.sign() * 0.2 + (t == 0) * 0.2, t)
    return t

KINK = torch.tensor([-1.5, -0.0, 0.0, 0.7, 2.0, -3.0])  # exact zero: the kink conventions

CASES = []
def case(name, fn, *inputs):
    CASES.append((name, fn, [i.clone() for i in inputs]))

a23, b23 = vals((2, 3), 1), vals((2, 3), 2)
b3, b21 = vals((3,), 3), vals((2, 1), 4)
pos = vals((2, 3), 5, 0.3, 3.0)
case("add", lambda a, b: a + b, a23, b3)
case("sub", lambda a, b: a - b, a23, b21)
case("mul", lambda a, b: a * b, a23, b23)
case("div", lambda a, b: a / b, a23, vals((2, 1), 6, 0.5, 2.0))
case("neg", lambda a: -a, a23)
case("pow_scalar", lambda a: a ** 3.0, a23)
case("pow_scalar_frac", lambda a: a ** 1.5, pos)
case("pow_tensor", lambda a, b: a ** b, pos, b23)
case("maximum", lambda a, b: torch.maximum(a, b), a23, b3)
case("minimum", lambda a, b: torch.minimum(a, b), a23, b3)
case("maximum_ties", lambda a, b: torch.maximum(a, b), torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.0, 5.0, 3.0]))
case("exp", torch.exp, a23)
case("log", torch.log, pos)
case("sqrt", torch.sqrt, pos)
case("abs", torch.abs, vals((2, 3), 7, avoid_zero=True))
case("abs_kink", torch.abs, KINK)
case("sin", torch.sin, a23)
case("cos", torch.cos, a23)
case("tanh", torch.tanh, a23)
case("sigmoid", torch.sigmoid, a23)
case("sigmoid_large", torch.sigmoid, torch.tensor([-800.0, -30.0, 30.0, 800.0]))
case("erf", torch.erf, a23)
case("clamp", lambda a: torch.clamp(a, -0.5, 0.8), a23)
case("clamp_kink", lambda a: torch.clamp(a, -1.5, 0.7), KINK)
case("relu", torch.relu, vals((2, 3), 8, avoid_zero=True))
case("relu_kink", torch.relu, KINK)
case("leaky_relu", lambda a: F.leaky_relu(a, 0.1), vals((2, 3), 9, avoid_zero=True))
case("leaky_relu_kink", lambda a: F.leaky_relu(a, 0.1), KINK)
case("elu", lambda a: F.elu(a, 1.3), a23)
case("elu_kink", lambda a: F.elu(a, 1.3), KINK)
case("selu", F.selu, a23)
case("gelu", F.gelu, a23)
case("gelu_tanh", lambda a: F.gelu(a, approximate="tanh"), a23)
case("silu", F.silu, a23)
case("softplus", F.softplus, a23)
case("softplus_beta", lambda a: F.softplus(a, beta=2.0, threshold=3.0), vals((2, 3), 10, -3, 3))
case("where", lambda a, b: torch.where(a > 0, a, b), a23, b3)
case("sum_all", lambda a: a.sum(), a23)
case("sum_dim0", lambda a: a.sum(0), a23)
case("sum_dim1_keep", lambda a: a.sum(1, keepdim=True), a23)
case("mean_all", lambda a: a.mean(), a23)
case("mean_dims", lambda a: a.mean((0, 2)), vals((2, 3, 4), 11))
case("max_all", lambda a: a.max(), a23)
case("max_dim", lambda a: a.amax(1), a23)
case("min_dim_keep", lambda a: a.amin(0, keepdim=True), a23)
case("max_ties", lambda a: a.amax(1), torch.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]]))
case("softmax", lambda a: F.softmax(a, 1), a23)
case("softmax_dim0", lambda a: F.softmax(a, 0), a23)
case("log_softmax", lambda a: F.log_softmax(a, 1), a23)
case("logsumexp", lambda a: torch.logsumexp(a, 1), a23)
case("matmul_mm", lambda a, b: a @ b, a23, vals((3, 4), 12))
case("matmul_mv", lambda a, b: a @ b, a23, b3)
case("matmul_vm", lambda a, b: a @ b, b3, vals((3, 2), 13))
case("matmul_dot", lambda a, b: a @ b, b3, vals((3,), 14))
case("matmul_batched", lambda a, b: a @ b, vals((2, 2, 3), 15), vals((3, 2), 16))
case("matmul_broadcast", lambda a, b: a @ b, vals((2, 1, 2, 3), 17), vals((3, 3, 2), 18))
case("matmul_transposed", lambda a, b: a.t() @ b, vals((3, 2), 19), vals((3, 4), 20))
case("bmm", torch.bmm, vals((2, 2, 3), 21), vals((2, 3, 2), 22))
case("reshape", lambda a: a.reshape(3, 2) * torch.arange(6.0).reshape(3, 2), a23)
case("transpose", lambda a: a.t() * torch.arange(6.0).reshape(3, 2), a23)
case("permute", lambda a: a.permute(2, 0, 1) * torch.arange(24.0).reshape(4, 2, 3), vals((2, 3, 4), 23))
case("slice", lambda a: a[:, 1:3] * 2.0, a23)
case("slice_step", lambda a: a[:, ::2] ** 2, a23)
case("select", lambda a: a[1] ** 2, a23)
case("unsqueeze_expand", lambda a: a.unsqueeze(0).expand(4, 3) * torch.arange(12.0).reshape(4, 3), b3)
case("concat", lambda a, b: torch.cat([a, b * 2.0], 1) ** 2, a23, b21)
case("stack", lambda a, b: torch.stack([a, b], 0) ** 2, a23, b23)
case("gather", lambda a: torch.gather(a, 1, torch.tensor([[0, 2, 2], [1, 1, 0]])) ** 2, a23)
case("index_select", lambda a: torch.index_select(a, 0, torch.tensor([1, 0, 1])) ** 2, a23)
case("composite_mlp", lambda x, w, b: torch.sigmoid(torch.tanh(x @ w + b).sum(1)), vals((4, 3), 24), vals((3, 2), 25), vals((2,), 26))

out = []
for name, fn, inputs in CASES:
    xs = [i.clone().requires_grad_() for i in inputs]
    y = fn(*xs)
    w = torch.linspace(0.5, 1.5, y.numel()).reshape(y.shape)
    grads = torch.autograd.grad((y * w).sum(), xs, create_graph=True, allow_unused=True)
    grads = [g if g is not None else torch.zeros_like(x) for g, x in zip(grads, xs)]
    # second order: d/dx sum_j <grad_j, v_j>
    s = sum((g * torch.linspace(-1.0, 1.0, g.numel()).reshape(g.shape)).sum() for g in grads)
    if s.requires_grad:
        gg = torch.autograd.grad(s, xs, allow_unused=True)
        gg = [g if g is not None else torch.zeros_like(x) for g, x in zip(gg, xs)]
    else:
        gg = [torch.zeros_like(x) for x in xs]
    def enc(t):
        return {"shape": list(t.shape), "data": [float(v) for v in torch.zeros(t.shape).add(t.detach()).reshape(-1).tolist()]}
    out.append({"name": name, "inputs": [enc(x) for x in xs], "output": enc(y),
                "grads": [enc(g) for g in grads], "grad2": [enc(g) for g in gg]})

print(json.dumps({"torch": torch.__version__, "cases": out}, indent=None))
