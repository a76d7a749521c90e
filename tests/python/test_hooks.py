"""Tensor.register_hook / retain_grad and Module hooks (forward pre/post, full backward), against
torch 1.13: the values hooks see, their replacements, their order, and handle.remove()."""
import numpy as np
import pytest
import torch

import nabla
from nabla import nn
from helpers import assert_same


def run_both(fn):
    """fn(lib, nn) -> list of (tensor or value) for nabla and torch."""
    return fn(nabla, nn), fn(torch, torch.nn)


def assert_all_same(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        if isinstance(y, torch.Tensor):
            assert_same(x, y, rtol=1e-6, atol=1e-7)
        elif isinstance(y, tuple):
            assert_all_same(list(x), list(y))
        else:
            assert x == y, (x, y)


def test_tensor_hooks_replace_and_order():
    def f(lib, _):
        seen = []
        x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
        y = x * 3
        y.register_hook(lambda g: seen.append(("y1", g.clone())) or g * 2)
        y.retain_grad()
        h = y.register_hook(lambda g: seen.append(("y2", g.clone())))
        x.register_hook(lambda g: g + 1)
        x.register_hook(lambda g: seen.append(("x", g.clone())))
        z = (y * y).sum()
        del y  # a non-leaf's hooks live on in its graph node
        z.backward()
        h.remove()
        return [s[1] for s in seen] + [x.grad] + [s[0] for s in seen]
    assert_all_same(*run_both(f))


def test_retain_grad_before_hook_sees_the_raw_gradient():
    def f(lib, _):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        a = x * 3
        a.retain_grad()
        a.register_hook(lambda g: g * 5)
        b = x * 4
        b.register_hook(lambda g: g * 5)
        b.retain_grad()
        (a.sum() + b.sum()).backward()
        return [a.grad, b.grad, x.grad, a.retains_grad, x.retains_grad]
    assert_all_same(*run_both(f))


def test_removed_hooks_and_repeated_backward():
    def f(lib, _):
        w = lib.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True)
        h = w.register_hook(lambda g: g * 10)
        out = []
        for step in range(3):
            if step == 2:
                h.remove()
                h.remove()  # twice is harmless
            (w @ w).sum().backward()
            out.append(w.grad.clone())
            w.grad = None
        with w.register_hook(lambda g: -g):
            (w * w).sum().backward()
        out.append(w.grad.clone())
        w.grad = None
        (w * w).sum().backward()  # the with block removed it
        return out + [w.grad]
    assert_all_same(*run_both(f))


def test_autograd_grad_returns_the_gradient_before_hooks():
    def f(lib, _):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        y.register_hook(lambda g: g * 2)
        x.register_hook(lambda g: g * 100)
        return list(lib.autograd.grad((y * y).sum(), [y, x]))
    assert_all_same(*run_both(f))


def test_hook_errors():
    with pytest.raises(RuntimeError, match="does not require grad"):
        nabla.tensor([1.0]).register_hook(lambda g: g)
    x = nabla.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: nabla.ones(3))
    with pytest.raises(RuntimeError, match="changed the gradient's shape from \\[2\\] to \\[3\\]"):
        y.sum().backward()
    y = x * 2
    y.register_hook(lambda g: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        y.sum().backward()
    y = x * 2
    y.register_hook(lambda g: "no")
    with pytest.raises(RuntimeError, match="must return a tensor or None"):
        y.sum().backward()


class Net:
    @staticmethod
    def make(lib, nn):
        lib.manual_seed(0)

        class Two(nn.Module):
            def __init__(self):
                super().__init__()
                self.a = nn.Linear(3, 4)
                self.b = nn.Linear(3, 4)

            def forward(self, x, y, scale=1.0):
                return self.a(x) * scale + self.b(y), self.a(y)

        return nn.Sequential(nn.Linear(3, 3), nn.Tanh()), Two()


def test_forward_hooks():
    def f(lib, nn):
        seq, two = Net.make(lib, nn)
        log = []
        seq[0].register_forward_pre_hook(lambda m, inp: log.append(("pre", len(inp))) or (inp[0] * 2,))
        h = seq[0].register_forward_hook(lambda m, inp, out: log.append(("post", type(m).__name__)) or out + 1)
        seq.register_forward_hook(lambda m, inp, out: log.append(("seq", len(inp))))
        x = lib.tensor([[0.1, 0.2, 0.3], [-1.0, 0.5, 2.0]])
        r1 = seq(x)
        h.remove()
        r2 = seq(x)
        two.register_forward_pre_hook(lambda m, inp: (inp[0], inp[1] * 0.5))
        r3, r4 = two(x, x, scale=2.0)
        return [r1, r2, r3, r4, tuple(log)]
    assert_all_same(*run_both(f))


def test_full_backward_hook_values_and_replacement():
    def f(lib, nn):
        seq, two = Net.make(lib, nn)
        seen = []

        def record(m, gin, gout):
            seen.append((type(m).__name__, tuple(g is None for g in gin), tuple(g is None for g in gout)))
            seen.extend(g for g in gin + gout if g is not None)

        for m in (seq[0], seq[1], two):
            m.register_full_backward_hook(record)
        seq[1].register_full_backward_hook(lambda m, gin, gout: (gin[0] * 3,))
        x = lib.tensor([[0.1, 0.2, 0.3], [-1.0, 0.5, 2.0]], requires_grad=True)
        y = lib.tensor([[1.0, 0.0, -1.0], [0.5, 0.5, 0.5]])  # needs no grad: None in grad_input
        u, v = two(seq(x), y, 0.5)
        (u.pow(2).sum() + v.sum()).backward()
        x2 = lib.tensor([[0.3, 0.2, 0.1]])  # no input requires grad: called from the output side
        seq(x2).sum().backward()
        return seen + [x.grad, seq[0].weight.grad, two.a.weight.grad]
    assert_all_same(*run_both(f))


def test_module_traversal_and_registration():
    def f(lib, nn):
        seq, two = Net.make(lib, nn)
        outer = nn.Module()
        outer.add_module("seq", seq)
        outer.register_module("two", two)
        outer.register_buffer("steps", lib.zeros(1))
        outer.register_parameter("p", nn.Parameter(lib.ones(2)))
        names = [n for n, _ in outer.named_modules()] + [n for n, _ in outer.named_children()]
        names += [n for n, _ in outer.named_parameters()] + [n for n, _ in outer.named_buffers()]
        visited = []
        outer.apply(lambda m: visited.append(type(m).__name__))
        outer.requires_grad_(False)
        frozen = [p.requires_grad for p in outer.parameters()]
        return names + visited + frozen + [len(list(outer.modules())), len(list(outer.children()))]
    assert_all_same(*run_both(f))
