"""nabla's operations against torch's on the same inputs: values and gradients (float64 to
1e-12, float32 to 1e-6), type promotion, reductions with dim/keepdim and (values, indices),
sorting, joining, splitting, matmul, comparisons and in-place updates."""
import numpy as np
import pytest

import nabla
import torch
from helpers import TORCH_DTYPE, assert_same, pair

RNG = np.random.default_rng(1234)
X = RNG.standard_normal((3, 4))
POS = RNG.uniform(0.5, 2.0, (3, 4))


def check_grad(fn_nabla, fn_torch, data, dtype=nabla.float64, weights=True):
    """fn on the same data in both libraries: values, then gradients of a weighted sum."""
    a, b = pair(data, dtype, requires_grad=True)
    ra, rb = fn_nabla(a), fn_torch(b)
    assert_same(ra, rb)
    w = RNG.standard_normal(tuple(rb.shape)) if weights else np.ones(tuple(rb.shape))
    (ra * nabla.tensor(w, dtype=dtype)).sum().backward()
    (rb * torch.tensor(w, dtype=TORCH_DTYPE[dtype])).sum().backward()
    assert_same(a.grad, b.grad)


UNARY = {
    "exp": X, "log": POS, "sigmoid": X, "tanh": X, "relu": X, "sqrt": POS, "abs": X, "sin": X, "cos": X,
    "neg": X, "square": X, "reciprocal": POS, "rsqrt": POS, "log1p": POS, "erf": X,
}


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("dtype", [nabla.float64, nabla.float32])
def test_unary_function_and_method(name, dtype):
    data = UNARY[name]
    check_grad(lambda t: getattr(nabla, name)(t), lambda t: getattr(torch, name)(t), data, dtype)
    check_grad(lambda t: getattr(t, name)(), lambda t: getattr(t, name)(), data, dtype)


def test_activations():
    for fn in [lambda m, t: m.nn.functional.leaky_relu(t, 0.1) if m is torch else nabla.leaky_relu(t, 0.1),
               lambda m, t: m.nn.functional.elu(t) if m is torch else nabla.elu(t),
               lambda m, t: m.nn.functional.gelu(t) if m is torch else nabla.gelu(t),
               lambda m, t: m.nn.functional.silu(t) if m is torch else nabla.silu(t),
               lambda m, t: m.nn.functional.softplus(t) if m is torch else nabla.softplus(t),
               lambda m, t: m.softmax(t, 1), lambda m, t: m.log_softmax(t, 0), lambda m, t: m.logsumexp(t, 1)]:
        check_grad(lambda t: fn(nabla, t), lambda t: fn(torch, t), X)


BINARY = ["+", "-", "*", "/", "**"]


@pytest.mark.parametrize("op", BINARY)
def test_binary_tensors_and_broadcasting(op):
    f = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": lambda a, b: a / b,
         "**": lambda a, b: a ** b}[op]
    a, b = pair(POS, requires_grad=True)
    c, d = pair(POS[0] + 0.5, requires_grad=True)
    ra, rb = f(a, c), f(b, d)
    assert_same(ra, rb)
    ra.sum().backward()
    rb.sum().backward()
    assert_same(a.grad, b.grad)
    assert_same(c.grad, d.grad)


@pytest.mark.parametrize("op", BINARY)
@pytest.mark.parametrize("scalar", [2, 0.5, -1.5])
def test_binary_with_python_numbers_both_sides(op, scalar):
    f = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": lambda a, b: a / b,
         "**": lambda a, b: a ** b}[op]
    check_grad(lambda t: f(t, scalar), lambda t: f(t, scalar), POS)
    check_grad(lambda t: f(scalar, t) if op != "**" or scalar > 0 else f(abs(scalar), t),
               lambda t: f(scalar, t) if op != "**" or scalar > 0 else f(abs(scalar), t), POS)


@pytest.mark.parametrize("left,right", [
    ("int64", 2.5), ("int64", 3), ("float32", 2.5), ("float64", 2), ("bool", 1), ("bool", 1.5), ("int64", True),
    ("int64", "float32"), ("float32", "float64"), ("bool", "int64"), ("int64", "0d_float64"), ("float32", "0d_float64"),
    ("0d_int64", "float32"), ("int64", "0d_int64"), ("bool", "bool"),
])
@pytest.mark.parametrize("op", ["+", "*", "/", "-", "<"])
def test_type_promotion_like_torch(left, right, op):
    def make(m, spec):
        if not isinstance(spec, str):
            return spec
        zero_d = spec.startswith("0d_")
        name = spec[3:] if zero_d else spec
        data = 3 if zero_d else [1, 0, 2]
        return m.tensor(data, dtype=getattr(m, name))

    f = {"+": lambda a, b: a + b, "*": lambda a, b: a * b, "/": lambda a, b: a / b, "-": lambda a, b: a - b,
         "<": lambda a, b: a < b}[op]
    try:
        expected = f(make(torch, left), make(torch, right))
    except RuntimeError:
        with pytest.raises(RuntimeError):
            f(make(nabla, left), make(nabla, right))
        return
    assert_same(f(make(nabla, left), make(nabla, right)), expected)


def test_integer_arithmetic_stays_integer():
    a, b = pair([1, 2, 3], nabla.int64)
    assert_same(a * 2 + 1, b * 2 + 1)
    assert_same(-a, -b)
    assert_same(a ** 2, b ** 2)
    assert_same(a / 2, b / 2)
    assert_same((a > 1).sum(), (b > 1).sum())
    assert_same(a.sum(), b.sum())


@pytest.mark.parametrize("op", ["==", "!=", "<", "<=", ">", ">="])
def test_comparisons(op):
    f = {"==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
         ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}[op]
    a, b = pair([[1.0, 2.0, 3.0]])
    c, d = pair([[2.0], [1.0]])
    assert_same(f(a, c), f(b, d))
    assert_same(f(a, 2.0), f(b, 2.0))
    assert_same(f(2, a), f(2, b))
    assert (nabla.tensor([1.0]) == None) is False  # noqa: E711
    m, n = a > 1, b > 1
    assert_same(m & (a < 3), n & (b < 3))
    assert_same(m | (a < 2), n | (b < 2))
    assert_same(~m, ~n)


# ---------------------------------------------------------------- reductions


@pytest.mark.parametrize("name", ["sum", "mean", "amax", "amin", "prod"])
@pytest.mark.parametrize("dim,keepdim", [(None, False), (0, False), (1, True), (-1, False), ((0, 1), True)])
def test_reductions(name, dim, keepdim):
    if name == "prod" and isinstance(dim, tuple):
        return
    data = X if name != "prod" else POS

    def call(m, t):
        if dim is None:
            return getattr(t, name)()
        return getattr(m, name)(t, dim, keepdim=keepdim) if name != "prod" else getattr(t, name)(dim, keepdim)

    check_grad(lambda t: call(nabla, t), lambda t: call(torch, t), data, weights=False)


def test_prod_with_zeros_and_odd_lengths():
    for data in [[2.0, 0.0, 3.0], [1.5, -2.0, 3.0, 0.5, 2.0], [[0.0, 0.0, 2.0], [1.0, 2.0, 3.0]]]:
        check_grad(lambda t: t.prod(), lambda t: t.prod(), np.array(data))
        check_grad(lambda t: t.prod(-1), lambda t: t.prod(-1), np.array(data))
    assert_same(nabla.tensor([2, 3, 4]).prod(), torch.tensor([2, 3, 4]).prod())


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_values_indices(name):
    a, b = pair(X, requires_grad=True)
    ra, rb = getattr(a, name)(dim=1), getattr(b, name)(dim=1)
    assert_same(ra.values, rb.values)
    assert_same(ra.indices, rb.indices)
    values, indices = getattr(nabla, name)(a, 0, keepdim=True)
    assert_same(values, getattr(torch, name)(b, 0, keepdim=True)[0])
    assert_same(indices, getattr(torch, name)(b, 0, keepdim=True)[1])
    assert_same(getattr(nabla, name)(a), getattr(torch, name)(b))
    ra.values.sum().backward()
    rb.values.sum().backward()
    assert_same(a.grad, b.grad)
    c, d = pair(X[0])
    assert_same(getattr(nabla, name)(a.detach(), c), getattr(torch, name)(b.detach(), d))


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_argmax_argmin(name):
    a, b = pair(X)
    assert_same(getattr(a, name)(), getattr(b, name)())
    assert_same(getattr(nabla, name)(a, 1), getattr(torch, name)(b, 1))
    assert_same(getattr(a, name)(dim=0, keepdim=True), getattr(b, name)(dim=0, keepdim=True))


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_sort_argsort(descending, dim):
    check_grad(lambda t: nabla.sort(t, dim, descending).values, lambda t: torch.sort(t, dim, descending).values, X)
    a, b = pair(X)
    assert_same(nabla.sort(a, dim=dim, descending=descending).indices,
                torch.sort(b, dim=dim, descending=descending).indices)
    assert_same(a.argsort(dim, descending), b.argsort(dim, descending))
    assert_same(nabla.argsort(a, dim=dim), torch.argsort(b, dim=dim))


# ---------------------------------------------------------------- shape, joining, splitting


def test_shape_ops():
    data = np.arange(24.0).reshape(2, 3, 4)
    for f in [lambda t: t.reshape(4, 6), lambda t: t.reshape((-1, 4)), lambda t: t.view(6, -1), lambda t: t.flatten(),
              lambda t: t.flatten(1), lambda t: t.transpose(0, 2), lambda t: t.permute(2, 0, 1),
              lambda t: t.unsqueeze(1), lambda t: t.unsqueeze(-1), lambda t: t[:, :1].squeeze(),
              lambda t: t[:, :1].squeeze(1), lambda t: t[:1].squeeze(0), lambda t: t[:, :1].expand(2, 5, 4),
              lambda t: t[:, :1].expand(-1, 3, -1), lambda t: t.transpose(1, 2).contiguous(),
              lambda t: t.reshape(6, 4).t(), lambda t: t.squeeze(1)]:
        check_grad(f, f, data)
    check_grad(lambda t: nabla.reshape(t, (4, 6)), lambda t: torch.reshape(t, (4, 6)), data)
    check_grad(lambda t: nabla.transpose(t, 0, 1), lambda t: torch.transpose(t, 0, 1), data)
    check_grad(lambda t: nabla.squeeze(t[:1]), lambda t: torch.squeeze(t[:1]), data)
    check_grad(lambda t: nabla.unsqueeze(t, 0), lambda t: torch.unsqueeze(t, 0), data)
    with pytest.raises(nabla.ShapeError):
        nabla.zeros(2, 3).reshape(4, 2)


@pytest.mark.parametrize("fn", ["cat", "concat", "stack"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cat_stack(fn, dim):
    a, b = pair(X, requires_grad=True)
    c, d = pair(X * 2, requires_grad=True)
    tf = getattr(torch, fn) if hasattr(torch, fn) else torch.cat
    ra, rb = getattr(nabla, fn)([a, c], dim), tf([b, d], dim)
    assert_same(ra, rb)
    ra.pow(2).sum().backward()
    rb.pow(2).sum().backward()
    assert_same(a.grad, b.grad)
    assert_same(c.grad, d.grad)
    assert_same(getattr(nabla, fn)((a.detach(), c.detach()), dim=dim), tf((b.detach(), d.detach()), dim=dim))


def test_split_chunk_unbind():
    a, b = pair(np.arange(20.0).reshape(5, 4), requires_grad=True)
    for args in [(2,), (2, 1), ([1, 4],), ([2, 2], 1), (5,)]:
        for x, y in zip(nabla.split(a, *args), torch.split(b, *args)):
            assert_same(x, y)
        for x, y in zip(a.split(*args), b.split(*args)):
            assert_same(x, y)
    for x, y in zip(a.chunk(3), b.chunk(3)):
        assert_same(x, y)
    for x, y in zip(a.unbind(1), b.unbind(1)):
        assert_same(x, y)
    sum(p.sum() * (i + 1) for i, p in enumerate(a.split(2))).backward()
    sum(p.sum() * (i + 1) for i, p in enumerate(b.split(2))).backward()
    assert_same(a.grad, b.grad)


@pytest.mark.parametrize("shapes", [((3, 4), (4, 2)), ((4,), (4,)), ((3, 4), (4,)), ((4,), (4, 2)),
                                    ((2, 3, 4), (4, 5)), ((2, 3, 4), (2, 4, 5)), ((1, 3, 4), (2, 4, 2))])
@pytest.mark.parametrize("dtype", [nabla.float32, nabla.float64])
def test_matmul(shapes, dtype):
    sa, sb = shapes
    a, b = pair(RNG.standard_normal(sa), dtype, requires_grad=True)
    c, d = pair(RNG.standard_normal(sb), dtype, requires_grad=True)
    for fa, fb in [(a @ c, b @ d), (nabla.matmul(a, c), torch.matmul(b, d)), (a.matmul(c), b.matmul(d))]:
        assert_same(fa, fb)
    (a @ c).sum().backward()
    (b @ d).sum().backward()
    assert_same(a.grad, b.grad)
    assert_same(c.grad, d.grad)


def test_matmul_shape_error_message():
    with pytest.raises(nabla.ShapeError, match=r"\[2, 3\].*\[2, 3\]"):
        nabla.zeros(2, 3) @ nabla.zeros(2, 3)


def test_where_clamp_maximum():
    a, b = pair(X, requires_grad=True)
    check_grad(lambda t: nabla.where(t > 0, t, t * 0.1), lambda t: torch.where(t > 0, t, t * 0.1), X)
    check_grad(lambda t: t.clamp(-0.5, 0.5), lambda t: t.clamp(-0.5, 0.5), X)
    check_grad(lambda t: t.clamp(min=0.0), lambda t: t.clamp(min=0.0), X)
    check_grad(lambda t: nabla.clamp(t, max=0.1), lambda t: torch.clamp(t, max=0.1), X)
    check_grad(lambda t: nabla.maximum(t, t.T.reshape(3, 4)), lambda t: torch.maximum(t, t.T.reshape(3, 4)), X)


def test_gather_index_select():
    a, b = pair(X, requires_grad=True)
    idx = [[0, 2], [1, 1], [3, 0]]
    assert_same(a.gather(1, nabla.tensor(idx)), b.gather(1, torch.tensor(idx)))
    assert_same(nabla.index_select(a, 0, nabla.tensor([2, 0])), torch.index_select(b, 0, torch.tensor([2, 0])))


# ---------------------------------------------------------------- in place


def test_inplace_ops():
    a, b = pair(X)
    c, d = pair(POS)
    for f in [lambda t, u: t.add_(u), lambda t, u: t.sub_(u), lambda t, u: t.subtract_(u), lambda t, u: t.mul_(u),
              lambda t, u: t.div_(u), lambda t, u: t.add_(u, alpha=0.5), lambda t, u: t.sub_(u, alpha=2.0),
              lambda t, u: t.add_(1.5), lambda t, u: t.mul_(3), lambda t, u: t.copy_(u), lambda t, u: t.fill_(2.5),
              lambda t, u: t.zero_()]:
        ra, rb = f(a, c), f(b, d)
        assert ra is a and rb is b
        assert_same(a, b)
    a += c
    b += d
    a *= 2
    b *= 2
    a -= 1
    b -= 1
    a /= c
    b /= d
    assert_same(a, b)
    i = nabla.tensor([1, 2])
    with pytest.raises(nabla.DTypeError, match="cannot be cast"):
        i.add_(0.5)


def test_inplace_on_tensors_autograd_tracks():
    w = nabla.ones(2, requires_grad=True)
    with pytest.raises(nabla.AutogradError, match="leaf tensor that requires grad"):
        w.add_(1.0)
    with pytest.raises(RuntimeError):
        w.mul_(2)
    with nabla.no_grad():
        w.sub_(0.5 * nabla.ones(2))
    assert w.tolist() == [0.5, 0.5] and w.requires_grad
    w.data.mul_(2)  # .data is outside the graph
    assert w.tolist() == [1.0, 1.0]
    h = w * 2
    with pytest.raises(nabla.AutogradError, match="out-of-place"):
        h.add_(1)


# ---------------------------------------------------------------- more of torch's functions


def test_module_level_arithmetic():
    a, b = pair(X, requires_grad=True)
    c, d = pair(POS)
    for name in ["add", "sub", "mul", "div", "subtract", "multiply", "divide", "true_divide", "pow"]:
        check_grad(lambda t: getattr(nabla, name)(t.abs() + 1, c), lambda t: getattr(torch, name)(t.abs() + 1, d), X)
    assert_same(nabla.add(a, c, alpha=2), torch.add(b, d, alpha=2))
    assert_same(nabla.pow(2.0, c), torch.pow(2.0, d))


@pytest.mark.parametrize("name", ["floor", "ceil", "round", "trunc"])
def test_rounding(name):
    data = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 1.2, -1.7, 3.0])
    for dtype in [nabla.float32, nabla.float64]:
        a, b = pair(data, dtype)
        assert_same(getattr(nabla, name)(a), getattr(torch, name)(b), exact=True)
        assert_same(getattr(a, name)(), getattr(b, name)(), exact=True)
    a, b = pair([1, -2], nabla.int64)
    assert_same(getattr(a, name)(), getattr(b, name)())


def test_floor_divide_and_remainder():
    for x, y in [([7.5, -7.5, 3.0], [2.0, 2.0, -2.0]), ([7, -7, 5], [2, 2, -3])]:
        dtype = nabla.float64 if isinstance(x[0], float) else nabla.int64
        a, b = pair(x, dtype)
        c, d = pair(y, dtype)
        assert_same(a // c, b // d)
        assert_same(a % c, b % d)
        assert_same(a % 2, b % 2)
        assert_same(a // 2, b // 2)
    check_grad(lambda t: t % 0.7, lambda t: t % 0.7, X)
    with pytest.raises(ZeroDivisionError):
        nabla.tensor([1, 2]) // 0


@pytest.mark.parametrize("kwargs", [{}, {"dim": 0}, {"dim": 1, "keepdim": True}, {"unbiased": False},
                                    {"dim": (0, 1)}, {"dim": 1, "correction": 0}])
def test_var_std(kwargs):
    for name in ["var", "std"]:
        check_grad(lambda t: getattr(t, name)(**kwargs), lambda t: getattr(t, name)(**kwargs), X, weights=False)
        check_grad(lambda t: getattr(nabla, name)(t, **kwargs), lambda t: getattr(torch, name)(t, **kwargs), X,
                   weights=False)


@pytest.mark.parametrize("p", [2, 1, float("inf"), 3])
def test_norm(p):
    check_grad(lambda t: t.norm(p), lambda t: t.norm(p), X)
    check_grad(lambda t: nabla.norm(t, p, dim=1), lambda t: torch.norm(t, p, dim=1), X)


def test_repeat_view_as_reshape_as():
    for sizes in [(2, 1), (1, 3), (2, 2, 1)]:
        check_grad(lambda t: t.repeat(*sizes), lambda t: t.repeat(*sizes), X)
    a, b = pair(X)
    assert_same(a.reshape(12).view_as(a), b.reshape(12).view_as(b))
    assert_same(a.reshape_as(nabla.zeros(4, 3)), b.reshape_as(torch.zeros(4, 3)))


def test_inplace_method_variants():
    for name, args in [("clamp_", (-0.5, 0.5)), ("relu_", ()), ("exp_", ()), ("sigmoid_", ()), ("neg_", ()),
                       ("abs_", ()), ("pow_", (2,)), ("round_", ()), ("unsqueeze_", (0,)), ("t_", ())]:
        a, b = pair(X)
        ra, rb = getattr(a, name)(*args), getattr(b, name)(*args)
        assert ra is a
        assert_same(a, b)


def test_save_load(tmp_path):
    state = {"w": nabla.randn(3, 2), "b": nabla.zeros(2, dtype=nabla.float64), "step": 3}
    nabla.save(state, tmp_path / "s.pt")
    back = nabla.load(tmp_path / "s.pt")
    assert back["step"] == 3 and back["w"].tolist() == state["w"].tolist() and back["b"].dtype == nabla.float64


def test_empty_results_like_torch():
    a, b = pair(X)
    for f in [lambda t: t.repeat(2, 0), lambda t: t[:, :0].reshape(0, 5), lambda t: t[:0].sum(0), lambda t: t[:, 4:]]:
        assert_same(f(a), f(b))


def test_mixed_dtype_functions_like_torch():
    i, ti = pair([1, -2, 3], nabla.int64)
    bo, tbo = pair([True, False, True], nabla.bool)
    f, tf = pair([1.5, -2.0, 0.5], nabla.float32)
    assert_same(nabla.maximum(i, bo), torch.maximum(ti, tbo))
    assert_same(nabla.minimum(i, f), torch.minimum(ti, tf))
    assert_same(bo.maximum(bo), tbo.maximum(tbo))
    assert_same(nabla.add(2.5, i), torch.add(2.5, ti))
    assert_same(nabla.mul(i, 0.5), torch.mul(ti, 0.5))
    assert_same(0.5 % i, 0.5 % ti)
    assert_same(bo % 2, tbo % 2)
    assert_same(7 // i, 7 // ti)


def test_isnan_isinf_isfinite_nonzero_unique():
    a, b = pair([[1.0, float("nan"), -float("inf")], [0.0, 2.0, float("inf")]])
    for name in ["isnan", "isinf", "isfinite"]:
        assert_same(getattr(nabla, name)(a), getattr(torch, name)(b))
        assert_same(getattr(a, name)(), getattr(b, name)())
    c, d = pair([[0, 3, 0], [1, 0, 2]], nabla.int64)
    assert_same(c.nonzero(), d.nonzero())
    for x, y in zip(nabla.nonzero(c, as_tuple=True), torch.nonzero(d, as_tuple=True)):
        assert_same(x, y)
    e, f = pair([3, 1, 2, 3, 1, 1], nabla.int64)
    assert_same(e.unique(), f.unique())
    for x, y in zip(nabla.unique(e, return_inverse=True, return_counts=True),
                    torch.unique(f, return_inverse=True, return_counts=True)):
        assert_same(x, y)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cumsum(dim):
    check_grad(lambda t: t.cumsum(dim), lambda t: t.cumsum(dim), X)
    check_grad(lambda t: nabla.cumsum(t, dim=dim), lambda t: torch.cumsum(t, dim=dim), X, nabla.float32)
    a, b = pair([[1, 2, 3], [4, 5, 6]], nabla.int64)
    assert_same(a.cumsum(dim), b.cumsum(dim))


def test_reductions_over_empty_tensors():
    a, b = pair(np.zeros((0, 3)))
    for f in [lambda t: t.amax(1), lambda t: t.argmax(1), lambda t: t.max(1).values, lambda t: t.min(dim=1).indices,
              lambda t: t.sum(0), lambda t: t.sum()]:
        assert_same(f(a), f(b))
    with pytest.raises(nabla.ValueError, match="size 0"):
        a.amax(0)
    with pytest.raises(nabla.ValueError, match="size 0"):
        a.argmax()


def test_bitwise_like_torch():
    i, ti = pair([[5, -3, 12]], nabla.int64)
    j, tj = pair([[3], [-8]], nabla.int64)
    m, tm = pair([True, False, True], nabla.bool)
    n, tn = pair([True, True, False], nabla.bool)
    for f in [lambda a, b: a & b, lambda a, b: a | b, lambda a, b: a ^ b]:
        assert_same(f(i, j), f(ti, tj))
        assert_same(f(m, n), f(tm, tn))
        assert_same(f(i, 6), f(ti, 6))
        assert_same(f(6, i), f(6, ti))
        assert_same(f(m, True), f(tm, True))
    assert_same(~i, ~ti)
    assert_same(~m, ~tm)
    for name in ["bitwise_and", "bitwise_or", "bitwise_xor", "logical_xor", "logical_and", "logical_or"]:
        assert_same(getattr(nabla, name)(m, n), getattr(torch, name)(tm, tn))
    assert_same(nabla.bitwise_not(i), torch.bitwise_not(ti))
    with pytest.raises(nabla.DTypeError):
        nabla.tensor([1.5]) & nabla.tensor([2.5])
