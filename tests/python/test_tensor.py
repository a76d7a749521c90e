"""nabla.Tensor against torch.Tensor: creation and dtype inference, attributes, NumPy views,
printing, indexing (values and gradients), assignment, conversions and Python protocols."""
import copy
import pickle

import numpy as np
import pytest

import nabla
import torch
from helpers import assert_same, pair

# ---------------------------------------------------------------- creation


@pytest.mark.parametrize("data", [
    [1, 2, 3], [1.0, 2.0], [[1, 2], [3, 4]], [True, False], 3, 2.5, True, [[1.5, 2], [3, 4]], [],
    np.array([1.0, 2.0]), np.array([[1, 2]], dtype=np.int64), np.array([1.0], dtype=np.float32),
    np.float64(1.5), np.array([True, False]),
])
def test_tensor_infers_torch_dtype(data):
    assert_same(nabla.tensor(data), torch.tensor(data), exact=True)


@pytest.mark.parametrize("name", ["float32", "float64", "int64", "bool"])
def test_tensor_with_dtype(name):
    data = [[0, 1.5], [-2, 3]]
    assert_same(nabla.tensor(data, dtype=getattr(nabla, name)), torch.tensor(data, dtype=getattr(torch, name)),
                exact=True)


def test_dtype_aliases_and_names():
    assert nabla.float is nabla.float32 and nabla.double is nabla.float64 and nabla.long is nabla.int64
    assert repr(nabla.float32) == "nabla.float32"
    assert nabla.float32.is_floating_point and not nabla.int64.is_floating_point
    assert nabla.float64.itemsize == 8
    assert nabla.tensor([1.0], dtype=np.float64).dtype == nabla.float64
    assert nabla.tensor([1], dtype=float).dtype == nabla.float64  # as torch: float means float64
    assert nabla.zeros(2, dtype="int64").dtype == nabla.int64
    assert pickle.loads(pickle.dumps(nabla.float64)) == nabla.float64


@pytest.mark.parametrize("fn", ["zeros", "ones"])
def test_filled(fn):
    for args in [(2, 3), ((2, 3),), ([4],), ((),)]:
        assert_same(getattr(nabla, fn)(*args), getattr(torch, fn)(*args), exact=True)
    assert_same(getattr(nabla, fn)(2, dtype=nabla.int64), getattr(torch, fn)(2, dtype=torch.int64), exact=True)
    a, b = pair([[1.0, 2.0]])
    assert_same(getattr(nabla, fn + "_like")(a), getattr(torch, fn + "_like")(b), exact=True)


def test_full_arange_linspace_eye():
    for v in [7, 2.5, True]:
        assert_same(nabla.full((2, 2), v), torch.full((2, 2), v), exact=True)
    assert_same(nabla.full_like(nabla.zeros(3), 4.0), torch.full_like(torch.zeros(3), 4.0), exact=True)
    for args in [(5,), (2, 7), (1, 2, 0.25), (0.5, 3), (10, 0, -3), (0, 1, 0.1)]:
        assert_same(nabla.arange(*args), torch.arange(*args), exact=True)
    assert_same(nabla.arange(5, dtype=nabla.float64), torch.arange(5, dtype=torch.float64), exact=True)
    for args in [(0, 1, 5), (-2, 3, 11), (1, 1, 1)]:
        assert_same(nabla.linspace(*args), torch.linspace(*args), exact=True)
    assert_same(nabla.eye(3), torch.eye(3), exact=True)
    assert_same(nabla.eye(2, 4), torch.eye(2, 4), exact=True)


def test_requires_grad_and_leaves():
    x = nabla.tensor([1.0, 2.0], requires_grad=True)
    assert x.requires_grad and x.is_leaf and x.grad is None and x.grad_fn is None
    y = (x * 2).sum()
    assert not y.is_leaf and y.grad_fn is not None and y.requires_grad
    y.backward()
    assert_same(x.grad, torch.tensor([2.0, 2.0]))
    x.grad = None
    assert x.grad is None
    x.grad = nabla.ones(2)
    assert x.grad.tolist() == [1.0, 1.0]
    z = nabla.zeros(2)
    assert z.requires_grad_() is not None and z.requires_grad
    z.requires_grad = False
    assert not z.requires_grad
    with pytest.raises(nabla.AutogradError, match="leaf"):
        y.requires_grad = False
    with pytest.raises(nabla.DTypeError, match="only floating tensors"):
        nabla.tensor([1, 2]).requires_grad_()


def test_data_detach_clone():
    w = nabla.tensor([1.0, 2.0], requires_grad=True)
    d = w.data
    assert not d.requires_grad
    d[0] = 5.0  # shares memory
    assert w.tolist() == [5.0, 2.0]
    w.data = nabla.tensor([7.0, 8.0, 9.0])
    assert w.tolist() == [7.0, 8.0, 9.0] and w.requires_grad and w.shape == (3,)
    c = w.clone()
    assert c.requires_grad and not c.is_leaf
    e = w.detach()
    e.zero_()
    assert w.tolist() == [0.0, 0.0, 0.0]


# ---------------------------------------------------------------- attributes


def test_attributes():
    a, b = pair(np.arange(24.0).reshape(2, 3, 4), nabla.float32)
    assert isinstance(a.shape, nabla.Size) and isinstance(a.shape, tuple)
    assert a.shape == (2, 3, 4) and a.size() == a.shape and a.size(1) == 3 and a.size(-1) == 4
    assert repr(a.shape) == "nabla.Size([2, 3, 4])" and repr(b.shape) == "torch.Size([2, 3, 4])"
    assert a.ndim == 3 and a.dim() == 3 and a.numel() == 24
    assert a.dtype == nabla.float32 and a.device == nabla.device("cpu") and str(a.device) == "cpu"
    assert a.stride() == b.stride() and a.T.shape == b.T.shape
    assert_same(a.T, b.T, exact=True)
    m, n = pair([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert_same(m.T, n.T, exact=True)
    assert a.is_contiguous() and not a.transpose(0, 1).is_contiguous()


def test_item_tolist_len_iter_bool_float_int():
    a, b = pair([[1.5, 2.0], [3.0, 4.0]])
    assert a.tolist() == b.tolist()
    assert nabla.tensor(3).tolist() == 3 and nabla.tensor([True]).tolist() == [True]
    assert nabla.tensor(2.5).item() == 2.5 and isinstance(nabla.tensor(2).item(), int)
    assert isinstance(nabla.tensor(True).item(), bool)
    assert len(a) == 2 and [r.tolist() for r in a] == [r.tolist() for r in b]
    assert bool(nabla.tensor([1.0])) and not bool(nabla.tensor(0))
    assert float(nabla.tensor(2.5)) == 2.5 and int(nabla.tensor(7)) == 7
    assert [10, 20, 30][nabla.tensor(1)] == 20  # __index__
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(a)
    with pytest.raises(TypeError, match="0-d"):
        len(nabla.tensor(1.0))
    assert f"{nabla.tensor(2.5):.2f}" == "2.50"


def test_hash_is_identity():
    a = nabla.tensor([1.0])
    b = nabla.tensor([1.0])
    d = {a: 1, b: 2}
    assert len(d) == 2 and d[a] == 1
    assert len({a, a}) == 1


# ---------------------------------------------------------------- NumPy


def test_numpy_is_a_zero_copy_view():
    t = nabla.zeros(2, 3)
    a = t.numpy()
    a[1, 2] = 7.0
    assert t[1, 2].item() == 7.0
    t[0, 0] = 3.0
    assert a[0, 0] == 3.0
    assert a.dtype == np.float32 and a.shape == (2, 3)
    tt = t.t()
    np.testing.assert_array_equal(tt.numpy(), a.T)  # strided view
    assert np.shares_memory(tt.numpy(), a)


def test_from_numpy_shares_memory_and_tensor_copies():
    arr = np.arange(6.0).reshape(2, 3)
    t = nabla.from_numpy(arr)
    assert t.dtype == nabla.float64
    arr[0, 0] = 42.0
    assert t[0, 0].item() == 42.0
    t.add_(1.0)
    assert arr[1, 2] == 6.0
    c = nabla.tensor(arr)
    arr[0, 1] = -1.0
    assert c[0, 1].item() == 2.0
    del arr
    assert t.tolist() == [[43.0, -1.0, 3.0], [4.0, 5.0, 6.0]]  # the tensor keeps the memory alive
    strided = np.arange(10.0)[::2]
    assert nabla.from_numpy(strided).tolist() == [0.0, 2.0, 4.0, 6.0, 8.0]
    with pytest.raises(nabla.ValueError, match="negative"):
        nabla.from_numpy(np.arange(3.0)[::-1])


def test_numpy_refuses_requires_grad_and_asarray_works():
    x = nabla.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="detach"):
        x.numpy()
    np.testing.assert_array_equal(x.detach().numpy(), [1.0, 2.0])
    t = nabla.tensor([[1, 2], [3, 4]])
    arr = np.asarray(t)
    assert arr.dtype == np.int64 and arr.tolist() == [[1, 2], [3, 4]]
    assert (np.array([1.0, 2.0]) * nabla.tensor([2.0, 3.0])).tolist() == [2.0, 6.0]  # Tensor.__rmul__


# ---------------------------------------------------------------- printing


@pytest.mark.parametrize("data,dtype", [
    ([1.0, 2.0, 3.0], "float32"), ([[1.5, -2.25], [3.0, 4.0]], "float32"), ([1.0, 2.0], "float64"),
    ([1, 2, 3], "int64"), ([True, False], "bool"), (3.5, "float32"), (7, "int64"),
    ([[1, 2], [3, 4]], "int64"), ([0.1234567, 100.5], "float32"), ([1e-5, 1.0], "float32"),
    ([[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]], "float32"), ([1e8, 1.0], "float32"),
    ([0.0, -0.0], "float64"), ([float("nan"), 1.0], "float32"), ([float("inf"), -1.5], "float64"),
    (list(range(12)), "float64"), ([123456.789, 1.0], "float32"), ([], "float32"), ([], "int64"), ([[]], "float32"),
    ([1e-5, 2e-5], "float64"), ([100.0, 2000.0], "float32"),
])
def test_repr_like_torch(data, dtype):
    a = nabla.tensor(data, dtype=getattr(nabla, dtype))
    b = torch.tensor(data, dtype=getattr(torch, dtype))
    assert repr(a).replace("nabla.", "torch.") == repr(b)


@pytest.mark.parametrize("shape", [(2000,), (3, 20), (50, 50), (4, 5, 6), (1200, 2)])
def test_repr_of_wide_and_large_tensors_like_torch(shape, seeded):
    seeded(0)
    a = nabla.randn(*shape, dtype=nabla.float64, requires_grad=True)
    b = torch.randn(*shape, dtype=torch.float64, requires_grad=True)
    assert repr(a).replace("nabla.", "torch.") == repr(b)
    assert str(a * 2).replace("nabla.", "torch.") == str(b * 2)


def test_repr_with_grad():
    a = nabla.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([1.0, 2.0], requires_grad=True)
    assert repr(a) == repr(b)
    assert repr(a * 2) == repr(b * 2)
    assert repr(a.sum()) == repr(b.sum())


# ---------------------------------------------------------------- indexing


INDICES = [
    0, -1, (1, 2), (slice(None), 1), (slice(1, None), slice(None, None, 2)), (Ellipsis, 0), (None, 0),
    (0, None, slice(None)), slice(None, None, 2), (slice(0, 3), Ellipsis, None), [0, 2], (slice(None), [2, 0, 1]),
    ([0, 1], [1, 2]), (slice(None), [[0, 1], [1, 0]]), (1, slice(None), -1), slice(5, 2), (slice(None), 1, 0),
    [], (slice(3, 1), [0, 1]), (Ellipsis, [0, 2], slice(None, 2)), (slice(None), [1], [0, 1]),
]


@pytest.mark.parametrize("idx", INDICES, ids=[str(i) for i in range(len(INDICES))])
def test_getitem_values_and_grads(idx):
    data = np.arange(60.0).reshape(3, 4, 5) / 7
    a, b = pair(data, requires_grad=True)
    ra, rb = a[idx], b[idx]
    assert_same(ra, rb)
    weights = np.random.default_rng(0).standard_normal(tuple(rb.shape))
    (ra * nabla.tensor(weights)).sum().backward()
    (rb * torch.tensor(weights)).sum().backward()
    assert_same(a.grad, b.grad)


def test_getitem_masks_and_index_tensors():
    data = np.arange(12.0).reshape(3, 4) - 5
    a, b = pair(data, requires_grad=True)
    ma, mb = a > 0, b > 0
    assert_same(a[ma], b[mb])
    assert_same(a[a[:, 0] > -2], b[b[:, 0] > -2])
    assert_same(a[:, nabla.tensor([True, False, True, True])], b[:, torch.tensor([True, False, True, True])])
    assert_same(a[nabla.tensor([2, 0])], b[torch.tensor([2, 0])])
    assert_same(a[nabla.tensor([-1]), 1:], b[torch.tensor([-1]), 1:])
    assert_same(a[[0, 2], [1, 3]], b[[0, 2], [1, 3]])
    a[ma].sum().backward()
    b[mb].sum().backward()
    assert_same(a.grad, b.grad)
    labels = [0, 3, 1]
    assert_same(a[range(3), labels], b[range(3), labels])  # the NLL pattern


@pytest.mark.parametrize("bad,error", [
    ((5,), IndexError), ((0, 0, 0), IndexError), (([0, 7],), IndexError), ((slice(None, None, -1),), ValueError),
    (("a",), IndexError), ((nabla.tensor([0.5]),), IndexError), ((nabla.tensor([True, False]),), IndexError),
])
def test_getitem_errors(bad, error):
    t = nabla.zeros(3, 4)
    with pytest.raises(error):
        t[bad if len(bad) > 1 else bad[0]]


def test_setitem_like_torch():
    cases = [
        (0, 1.0), ((1, 2), -3.0), ((slice(None), 1), 9.0), ((slice(None), 1), [1.0, 2.0, 3.0]),
        ((slice(0, 2), slice(None)), [[1.0, 2.0, 3.0, 4.0]]), (None, 0.5),
    ]
    for idx, value in cases:
        a, b = pair(np.zeros((3, 4)))
        a[idx] = nabla.tensor(value, dtype=nabla.float64) if isinstance(value, list) else value
        b[idx] = torch.tensor(value, dtype=torch.float64) if isinstance(value, list) else value
        assert_same(a, b, exact=True)
    a, b = pair(np.arange(12.0).reshape(3, 4))
    a[a > 5] = 0.0
    b[b > 5] = 0.0
    assert_same(a, b, exact=True)
    a[[0, 2], [1, 3]] = nabla.tensor([7.0, 8.0], dtype=nabla.float64)
    b[[0, 2], [1, 3]] = torch.tensor([7.0, 8.0], dtype=torch.float64)
    assert_same(a, b, exact=True)
    w = nabla.zeros(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="requires grad"):
        w[0] = 1.0
    with nabla.no_grad():
        w[0] = 1.0
    assert w.tolist() == [1.0, 0.0]
    with pytest.raises(nabla.ShapeError):
        nabla.zeros(3)[:] = nabla.zeros(4)


# ---------------------------------------------------------------- conversions


def test_to_and_casts():
    a, b = pair([[1.7, -2.2]], nabla.float32)
    for conv in ["float", "double", "long", "bool"]:
        assert_same(getattr(a, conv)(), getattr(b, conv)(), exact=True)
    assert_same(a.to(nabla.float64), b.to(torch.float64), exact=True)
    assert a.to("cpu") is a and a.cpu() is a and a.to(nabla.device("cpu")) is a
    assert_same(a.to("cpu", nabla.float64), b.to("cpu", torch.float64), exact=True)
    assert a.to(nabla.zeros(1, dtype=nabla.int64)).dtype == nabla.int64
    assert a.type_as(nabla.zeros(1, dtype=nabla.float64)).dtype == nabla.float64
    x = nabla.tensor([1.0], requires_grad=True)
    x.double().sum().backward()  # differentiable between float types
    assert x.grad.dtype == nabla.float32 and x.grad.tolist() == [1.0]


def test_devices():
    d = "cuda:0" if nabla.cuda.is_available() else "cpu"
    assert d == "cpu"
    assert nabla.zeros(2, device=d).device.type == "cpu"
    assert repr(nabla.device("cpu")) == repr(torch.device("cpu"))
    assert nabla.device("cuda:1").index == 1  # naming one is fine
    for make in [lambda: nabla.zeros(2, device="cuda"), lambda: nabla.tensor([1.0]).to("cuda"),
                 lambda: nabla.tensor([1.0]).cuda(), lambda: nabla.randn(2, device=nabla.device("cuda")),
                 lambda: nabla.tensor([1.0], device="mps")]:
        with pytest.raises(nabla.ValueError, match="nabla runs on the CPU"):
            make()


def test_pickle_and_deepcopy():
    x = nabla.tensor([[1.0, 2.0]], requires_grad=True)
    y = pickle.loads(pickle.dumps(x))
    assert y.tolist() == x.tolist() and y.requires_grad and y.dtype == x.dtype
    z = copy.deepcopy(x)
    assert z.tolist() == x.tolist() and z.requires_grad
    z.data.zero_()
    assert x.tolist() == [[1.0, 2.0]]


def test_legacy_constructors_like_torch():
    for args in [(2, 3), ([1, 2],), ([[1.5, 2.0]],), ()]:
        assert_same(nabla.Tensor(*args), torch.Tensor(*args) if args != (2, 3) else torch.zeros(2, 3), exact=True)
    t = nabla.tensor([1.0, 2.0], requires_grad=True)
    alias = nabla.Tensor(t)
    assert alias.is_leaf and not alias.requires_grad
    alias.data.mul_(3)
    assert t.tolist() == [3.0, 6.0]  # shares t's memory
    assert_same(nabla.FloatTensor([1, 2]), torch.FloatTensor([1, 2]), exact=True)
    assert_same(nabla.LongTensor([1, 2]), torch.LongTensor([1, 2]), exact=True)
    v = nabla.autograd.Variable(nabla.tensor([1.0]), requires_grad=True)
    assert v.requires_grad


def test_set_printoptions_like_torch():
    try:
        for kwargs in [{"precision": 2}, {"sci_mode": True}, {"linewidth": 40}, {"threshold": 5, "edgeitems": 1}]:
            nabla.set_printoptions(**kwargs)
            torch.set_printoptions(**kwargs)
            a = nabla.linspace(0, 1, 12, dtype=nabla.float64)
            b = torch.linspace(0, 1, 12, dtype=torch.float64)
            assert repr(a).replace("nabla.", "torch.") == repr(b), kwargs
    finally:
        nabla.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")


def test_from_numpy_memory_released_from_a_backward_pass():
    """The last reference to a from_numpy tensor can go inside backward (no GIL held there)."""
    import gc
    import weakref

    class Array(np.ndarray):
        pass

    arr = np.arange(4.0).view(Array)
    alive = weakref.ref(arr)
    x = nabla.tensor([1.0, 2.0, 3.0, 4.0], dtype=nabla.float64, requires_grad=True)
    y = (x * nabla.from_numpy(arr)).sum()  # the product saves the from_numpy tensor for backward
    del arr
    gc.collect()
    assert alive() is not None
    y.backward()  # frees the graph, and with it the last tensor on the array's memory
    del y
    for _ in range(3):
        sum(range(1000))  # the interpreter runs pending calls between bytecodes
    gc.collect()
    assert alive() is None
    assert x.grad.tolist() == [0.0, 1.0, 2.0, 3.0]


class Marked(nabla.Tensor):
    """A Tensor subclass, as nn.Parameter is one."""


def test_subclasses_survive_copies_and_pickles():
    m = Marked(nabla.tensor([1.0, 2.0]))
    m.requires_grad_()
    m.note = "kept"
    for c in [copy.deepcopy(m), pickle.loads(pickle.dumps(m))]:
        assert type(c) is Marked and c.note == "kept" and c.requires_grad and c.tolist() == [1.0, 2.0]
        with nabla.no_grad():
            c.zero_()
        assert m.tolist() == [1.0, 2.0]


def test_set_default_dtype_like_torch():
    try:
        nabla.set_default_dtype(nabla.float64)
        torch.set_default_dtype(torch.float64)
        assert nabla.get_default_dtype() == nabla.float64
        for make in [lambda m: m.tensor([1.5, 2.0]), lambda m: m.zeros(2), lambda m: m.ones(2, 2), lambda m: m.arange(0.5, 3),
                     lambda m: m.linspace(0, 1, 5), lambda m: m.tensor([1, 2]) * 0.5, lambda m: m.tensor([1, 2]) / 2,
                     lambda m: m.tensor([1, 2]).exp(), lambda m: m.full((2,), 1.5), lambda m: m.eye(2),
                     lambda m: m.tensor([1.0], dtype=m.float32), lambda m: m.zeros(0), lambda m: m.zeros(0, dtype=m.float32)]:
            a, b = make(nabla), make(torch)
            assert_same(a, b, exact=True)
            assert repr(a).replace("nabla.", "torch.") == repr(b)
        nabla.manual_seed(0)
        torch.manual_seed(0)
        assert_same(nabla.randn(5), torch.randn(5), exact=True)
        with pytest.raises(nabla.DTypeError):
            nabla.set_default_dtype(nabla.int64)
    finally:
        nabla.set_default_dtype(nabla.float32)
        torch.set_default_dtype(torch.float32)
    assert nabla.tensor([1.5]).dtype == nabla.float32
