"""nabla.autograd against torch.autograd: grad (create_graph, retain_graph, allow_unused,
grad_outputs), gradients of gradients, backward(gradient=), grad mode as context manager,
decorator and function."""
import numpy as np
import pytest

import nabla
import torch
from helpers import assert_same, pair


def f(m, x, y):
    return (m.tanh(x * y) * x ** 3).sum() + (x @ y.T).sigmoid().mean()


def test_grad_and_second_order():
    data_x, data_y = np.random.default_rng(0).standard_normal((2, 2, 3))
    x, tx = pair(data_x, requires_grad=True)
    y, ty = pair(data_y, requires_grad=True)
    gx, gy = nabla.autograd.grad(f(nabla, x, y), (x, y), create_graph=True)
    tgx, tgy = torch.autograd.grad(f(torch, tx, ty), (tx, ty), create_graph=True)
    assert_same(gx, tgx)
    assert_same(gy, tgy)
    assert x.grad is None  # grad() leaves .grad alone
    (hx,) = nabla.autograd.grad(gx.sum(), x, retain_graph=True)
    (thx,) = torch.autograd.grad(tgx.sum(), tx, retain_graph=True)
    assert_same(hx, thx)
    (gx * gy).sum().backward()
    (tgx * tgy).sum().backward()
    assert_same(x.grad, tx.grad)
    assert_same(y.grad, ty.grad)


def test_third_derivative_of_a_scalar():
    x, tx = pair(0.7, requires_grad=True)
    for m, v in [(nabla, x), (torch, tx)]:
        y = m.sigmoid(v) * v ** 2
        (d1,) = m.autograd.grad(y, v, create_graph=True)
        (d2,) = m.autograd.grad(d1, v, create_graph=True)
        (d3,) = m.autograd.grad(d2, v)
        if m is nabla:
            results = (d1, d2, d3)
        else:
            for a, b in zip(results, (d1, d2, d3)):
                assert_same(a, b)


def test_grad_outputs_allow_unused_retain_graph():
    x, tx = pair([1.0, 2.0, 3.0], requires_grad=True)
    u, tu = pair([1.0], requires_grad=True)
    y, ty = x * x, tx * tx
    go = [0.5, -1.0, 2.0]
    (g,) = nabla.autograd.grad(y, x, grad_outputs=nabla.tensor(go, dtype=nabla.float64), retain_graph=True)
    (tg,) = torch.autograd.grad(ty, tx, grad_outputs=torch.tensor(go, dtype=torch.float64), retain_graph=True)
    assert_same(g, tg)
    g2, none = nabla.autograd.grad(y.sum(), [x, u], allow_unused=True, retain_graph=True)
    assert none is None
    with pytest.raises(RuntimeError):
        nabla.autograd.grad(y.sum(), [x, u], retain_graph=True)
    y.sum().backward()
    with pytest.raises(nabla.AutogradError):
        y.sum().backward()  # the graph was freed


def test_backward_with_gradient_and_accumulation():
    x, tx = pair([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)
    g = [[1.0, 0.0], [2.0, -1.0]]
    for _ in range(2):  # gradients accumulate
        (x.exp() * 2).backward(nabla.tensor(g, dtype=nabla.float64))
        (tx.exp() * 2).backward(torch.tensor(g, dtype=torch.float64))
    assert_same(x.grad, tx.grad)
    with pytest.raises(nabla.AutogradError):
        (x * 2).backward()  # non-scalar needs a gradient
    nabla.autograd.backward([(x * x).sum(), x.sum()])
    torch.autograd.backward([(tx * tx).sum(), tx.sum()])
    assert_same(x.grad, tx.grad)


def test_retain_grad():
    x = nabla.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    h.retain_grad()
    (h * h).sum().backward()
    assert h.grad.tolist() == [6.0, 12.0]


def test_no_grad_context_decorator_and_modes():
    x = nabla.ones(2, requires_grad=True)
    assert nabla.is_grad_enabled()
    with nabla.no_grad():
        assert not nabla.is_grad_enabled()
        y = x * 2
        with nabla.enable_grad():
            assert (x * 2).requires_grad
    assert not y.requires_grad and nabla.is_grad_enabled()

    @nabla.no_grad()
    def step():
        return x * 2

    assert not step().requires_grad and nabla.is_grad_enabled()

    @nabla.no_grad
    def step2():
        return x * 2

    assert not step2().requires_grad
    nabla.set_grad_enabled(False)
    assert not (x * 2).requires_grad
    nabla.set_grad_enabled(True)
    with nabla.set_grad_enabled(False):
        assert not nabla.is_grad_enabled()
    assert nabla.is_grad_enabled()
    with nabla.inference_mode():
        assert not (x * 2).requires_grad
    assert nabla.autograd.no_grad is nabla.no_grad


def test_no_grad_restores_after_exception():
    with pytest.raises(KeyError):
        with nabla.no_grad():
            raise KeyError
    assert nabla.is_grad_enabled()


def test_grad_fn_nodes():
    x = nabla.tensor([1.0], requires_grad=True)
    y = (x * 2).sigmoid()
    assert y.grad_fn.name() == "sigmoid"
    assert "nabla.autograd.Node" in repr(y.grad_fn)
    assert len(y.grad_fn.next_functions) == 1


def test_backward_create_graph_then_gradient_of_grad():
    x, tx = pair([0.5, -1.5], requires_grad=True)
    for v in (x, tx):
        (v ** 3 * v.sin()).sum().backward(create_graph=True)
    assert x.grad.grad_fn is not None
    assert_same(x.grad, tx.grad)
    g, tg = x.grad, tx.grad
    x.grad, tx.grad = None, None
    g.sum().backward()
    tg.sum().backward()
    assert_same(x.grad, tx.grad)


def test_backward_releases_the_gil():
    """Another Python thread runs while a long backward pass does."""
    import threading
    import time

    x = nabla.randn(600, 600, requires_grad=True)
    y = x
    for _ in range(6):
        y = (y @ x).tanh()
    loss = y.sum()
    ticks = [0]
    running = [True]

    def count():
        while running[0]:
            ticks[0] += 1
            time.sleep(0.0005)

    th = threading.Thread(target=count)
    th.start()
    time.sleep(0.01)
    start = ticks[0]
    t0 = time.perf_counter()
    loss.backward()
    elapsed = time.perf_counter() - t0
    during = ticks[0] - start
    running[0] = False
    th.join()
    assert elapsed > 0.005  # long enough for the thread to get a turn
    assert during >= 2, (during, elapsed)


def test_functional_jacobian_and_hessian_like_torch():
    def f(m):
        return lambda w: (w ** 3 * m.sin(w)).sum()

    def g(m):
        return lambda a, b: (a.exp() * b[0], (a * b).sum())

    results = {}
    for m in (nabla, torch):
        w = m.tensor([1.0, 2.0, -0.5], dtype=m.float64)
        a = m.tensor([[0.5, -1.0]], dtype=m.float64)
        b = m.tensor([2.0, 3.0], dtype=m.float64)
        results[m] = [m.autograd.functional.hessian(f(m), w),
                      m.autograd.functional.jacobian(lambda v: v.exp() * v[0], w),
                      m.autograd.functional.jacobian(g(m), (a, b)),
                      m.autograd.functional.hessian(lambda a, b: (a * a * b).sum(), (a, b))]

    def compare(x, y):
        if isinstance(y, tuple):
            assert isinstance(x, tuple) and len(x) == len(y)
            for p, q in zip(x, y):
                compare(p, q)
        else:
            assert_same(x, y)

    compare(tuple(results[nabla]), tuple(results[torch]))
    from nabla.autograd.functional import jacobian
    assert jacobian(lambda v: v * 2, nabla.ones(2)).tolist() == [[2.0, 0.0], [0.0, 2.0]]
