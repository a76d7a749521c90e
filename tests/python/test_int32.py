"""int32 end to end: creation, conversion, NumPy both ways, torch 1.13's type promotion,
comparisons, reductions, sorting, joining, indexing and printing, each against torch."""
import numpy as np
import pytest
import torch

import nabla
from helpers import assert_same

A = [[3, -1, 7], [0, 2147483647, -2147483648]]
B = [[1, 2, 3], [4, 5, 6]]


def ints(values=A, dtype=nabla.int32):
    tdt = {nabla.int32: torch.int32, nabla.int64: torch.int64}[dtype]
    return nabla.tensor(values, dtype=dtype), torch.tensor(values, dtype=tdt)


def test_dtype_object():
    assert nabla.int32 is nabla.int == nabla.int32
    assert repr(nabla.int32) == "nabla.int32"
    assert nabla.int32.itemsize == 4 and not nabla.int32.is_floating_point
    assert nabla.zeros(2, dtype="int32").dtype == nabla.int32
    assert nabla.zeros(2, dtype=np.int32).dtype == nabla.int32
    assert nabla.zeros(2, dtype="int").dtype == nabla.int32


@pytest.mark.parametrize("make", [
    lambda m, d: m.zeros(2, 3, dtype=d), lambda m, d: m.ones(4, dtype=d), lambda m, d: m.full((2,), 7, dtype=d),
    lambda m, d: m.arange(-3, 9, 2, dtype=d), lambda m, d: m.tensor([[1, -2], [3, 4]], dtype=d),
    lambda m, d: m.zeros_like(m.ones(3), dtype=d), lambda m, d: m.tensor(5, dtype=d),
])
def test_creation(make):
    assert_same(make(nabla, nabla.int32), make(torch, torch.int32))


def test_conversions_and_casts():
    a, t = ints()
    assert_same(a.long(), t.long())
    assert_same(a.float(), t.float())
    assert_same(a.double(), t.double())
    assert_same(a.bool(), t.bool())
    assert_same(a.to(nabla.float64), t.to(torch.float64))
    f, tf = nabla.tensor([1.9, -1.9, 0.5]), torch.tensor([1.9, -1.9, 0.5])
    assert_same(f.int(), tf.int())  # truncation toward zero
    assert_same(nabla.tensor([5, 6]).int(), torch.tensor([5, 6]).int())
    assert a.type() == "nabla.IntTensor" and t.type() == "torch.IntTensor"
    assert a.tolist() == t.tolist() and isinstance(a[0, 0].item(), int) and a[1, 1].item() == 2147483647
    assert int(a[0, 2]) == 7 and [1, 2, 3][nabla.tensor(1, dtype=nabla.int32)] == 2


def test_numpy_zero_copy_both_ways():
    arr = np.array([[1, 2], [3, 4]], dtype=np.int32)
    t = nabla.from_numpy(arr)
    assert t.dtype == nabla.int32
    arr[0, 0] = 99
    assert t[0, 0].item() == 99  # a view of the array's memory
    back = t.numpy()
    assert back.dtype == np.int32
    back[1, 1] = -5
    assert arr[1, 1] == -5  # and numpy() a view of the tensor's
    assert nabla.as_tensor(arr).dtype == nabla.int32
    c = nabla.tensor(arr)
    assert c.dtype == nabla.int32
    arr[0, 1] = 0
    assert c[0, 1].item() == 2  # tensor() copies
    assert nabla.tensor(np.int32(3)).dtype == nabla.int32
    assert nabla.tensor([np.int32(1), np.int32(2)]).dtype == nabla.int32
    assert np.asarray(t).dtype == np.int32


def _binary_cases():
    a32, t32 = ints(B)
    a64, t64 = ints(B, nabla.int64)
    af, tf = nabla.tensor([[0.5, 1.5, -2.0], [1.0, 2.0, 4.0]]), torch.tensor([[0.5, 1.5, -2.0], [1.0, 2.0, 4.0]])
    ab, tb = nabla.tensor([True, False, True]), torch.tensor([True, False, True])
    a0, t0 = nabla.tensor(3), torch.tensor(3)  # a 0-d int64 does not widen an int32 tensor
    d0, td0 = nabla.tensor(2.0, dtype=nabla.float64), torch.tensor(2.0, dtype=torch.float64)
    return [((a32, a32), (t32, t32)), ((a32, a64), (t32, t64)), ((a64, a32), (t64, t32)), ((a32, 3), (t32, 3)),
            ((2, a32), (2, t32)), ((a32, 2.5), (t32, 2.5)), ((a32, True), (t32, True)), ((a32, af), (t32, tf)),
            ((a32, ab), (t32, tb)), ((a32, a0), (t32, t0)), ((a32, d0), (t32, td0)), ((a32.sum(), a32), (t32.sum(), t32))]


@pytest.mark.parametrize("op", ["add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "lt", "le", "gt", "ge",
                                "eq", "ne", "maximum", "minimum"])
def test_promotion_and_values(op):
    import operator
    for (x, y), (tx, ty) in _binary_cases():
        if op in ("maximum", "minimum"):
            if not (isinstance(x, nabla.Tensor) and isinstance(y, nabla.Tensor)):
                continue
            got, want = getattr(nabla, op)(x, y), getattr(torch, op)(tx, ty)
        else:
            f = getattr(operator, op)
            if op == "sub" and (getattr(y, "dtype", None) == nabla.bool or y is True):
                continue  # bool subtraction is an error in both
            if op == "pow" and isinstance(y, nabla.Tensor) and not y.is_floating_point() and y.ndim == 2:
                y, ty = y.abs() % 4, ty.abs() % 4
            if op in ("floordiv", "mod") and isinstance(y, nabla.Tensor) and y.dtype == nabla.bool:
                continue
            got, want = f(x, y), f(tx, ty)
        assert_same(got, want, rtol=1e-6, atol=1e-6)


def test_overflow_wraps_as_torch():
    a, t = nabla.tensor([2147483647, -2147483648], dtype=nabla.int32), torch.tensor([2147483647, -2147483648],
                                                                                    dtype=torch.int32)
    assert_same(a + 1, t + 1)
    assert_same(a - 1, t - 1)
    assert_same(-a[1:], -t[1:])


def test_unary_and_bitwise():
    a, t = ints()
    for f in [lambda x: x.abs(), lambda x: -x, lambda x: ~x, lambda x: x & 6, lambda x: x | 1, lambda x: x ^ x,
              lambda x: x.sign(), lambda x: x.clamp(-5, 5), lambda x: x.relu()]:
        assert_same(f(a), f(t))
    b, tb = ints(B)
    assert_same(b.exp(), tb.exp())  # int -> float32
    assert_same(b.square(), tb.square())


def test_reductions():
    a, t = ints()
    assert_same(a.sum(), t.sum())  # int32 sums to int64, as torch
    assert_same(a.sum(0), t.sum(0))
    assert_same(a.sum(1, keepdim=True), t.sum(1, keepdim=True))
    b, tb = ints(B)
    assert_same(b.prod(1), tb.prod(1))  # int64, as torch
    assert_same(a.max(), t.max())
    assert_same(a.min(), t.min())
    for dim in (0, 1, -1):
        v, i = a.max(dim)
        tv, ti = t.max(dim)
        assert_same(v, tv)
        assert_same(i, ti)
        v, i = a.min(dim, keepdim=True)
        tv, ti = t.min(dim, keepdim=True)
        assert_same(v, tv)
        assert_same(i, ti)
    assert_same(a.argmax(), t.argmax())
    assert_same(a.argmin(1), t.argmin(1))
    assert_same(a.cumsum(1), t.cumsum(1))
    with pytest.raises(nabla.DTypeError, match="mean"):
        a.mean()


def test_sort_cat_stack_where():
    a, t = ints()
    for desc in (False, True):
        v, i = nabla.sort(a, 1, descending=desc)
        tv, ti = torch.sort(t, 1, descending=desc)
        assert_same(v, tv)
        assert_same(i, ti)
    assert_same(a.argsort(0), t.argsort(0))
    b64, t64 = ints(B, nabla.int64)
    assert_same(nabla.cat([a, a]), torch.cat([t, t]))
    assert_same(nabla.cat([a, b64]), torch.cat([t, t64]))  # int32 with int64 -> int64
    assert_same(nabla.cat([a.bool(), a]), torch.cat([t.bool(), t]))
    assert_same(nabla.stack([a, a], 1), torch.stack([t, t], 1))
    assert_same(nabla.where(a > 1, a, 0), torch.where(t > 1, t, 0))
    assert_same(nabla.where(a > 1, a, b64), torch.where(t > 1, t, t64))


def test_indexing():
    a, t = ints()
    assert_same(a[1], t[1])
    assert_same(a[:, 1:], t[:, 1:])
    assert_same(a[a > 0], t[t > 0])
    assert_same(a[[1, 0]], t[[1, 0]])
    x, tx = nabla.arange(10.0), torch.arange(10.0)
    i32, ti32 = nabla.tensor([3, 1, 4], dtype=nabla.int32), torch.tensor([3, 1, 4], dtype=torch.int32)
    assert_same(x.index_select(0, i32), tx.index_select(0, ti32))
    with pytest.raises(IndexError, match="long"):
        x[i32]  # torch 1.13 refuses int32 index tensors too
    with pytest.raises(IndexError):
        tx[ti32]
    c, tc = a.clone(), t.clone()
    c[0, 1] = 5
    tc[0, 1] = 5
    c[c < 0] = 0
    tc[tc < 0] = 0
    assert_same(c, tc)


def test_printing():
    a, t = ints()
    assert repr(a) == repr(t).replace("torch", "nabla")
    assert repr(nabla.tensor(5, dtype=nabla.int32)) == "tensor(5, dtype=nabla.int32)"
    assert repr(nabla.zeros(0, dtype=nabla.int32)) == repr(torch.zeros(0, dtype=torch.int32)).replace("torch", "nabla")


def test_save_load_roundtrip(tmp_path):
    a, _ = ints()
    path = tmp_path / "t.pt"
    nabla.save({"a": a}, path)
    b = nabla.load(path)["a"]
    assert b.dtype == nabla.int32 and b.tolist() == a.tolist()


def test_randint_dtype(seeded):
    seeded(3)
    assert_same(nabla.randint(0, 10, (5,), dtype=nabla.int32), torch.randint(0, 10, (5,), dtype=torch.int32))
