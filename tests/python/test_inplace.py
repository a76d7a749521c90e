"""Augmented assignment and in-place changes, as PyTorch: `h += x` inside a graph gives PyTorch's
values and gradients (a residual block's `out += identity`); on a leaf that requires grad it is
an error unless grad mode is off; a tensor saved for backward and then changed in place makes the
backward an error (the version counter), never a silently wrong gradient."""
import pytest
import torch

import nabla


def run(lib):
    lib.manual_seed(0)
    x = lib.randn(4, 3, requires_grad=True)
    h = x * 2
    h += 1
    h *= x
    h -= 0.5
    h /= 3
    h.sum().backward()
    return h.detach().numpy(), x.grad.numpy()


def test_augmented_assignment_in_a_graph_is_torchs():
    (hv, gv), (hw, gw) = run(nabla), run(torch)
    assert (hv == hw).all() and (gv == gw).all()


def test_residual_block_with_plus_equals_trains_as_torch():
    def trajectory(lib):
        class Block(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.a, self.b = lib.nn.Linear(3, 3), lib.nn.Linear(3, 1)

            def forward(self, x):
                out = self.a(x)
                out += x  # the skip, written in place as ResNets do (before the activation)
                return self.b(lib.relu(out))

        lib.manual_seed(1)
        net = Block()
        opt = lib.optim.SGD(net.parameters(), lr=0.1)
        x, y = lib.randn(8, 3), lib.randn(8, 1)
        losses = []
        for _ in range(5):
            opt.zero_grad()
            loss = ((net(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return losses

    assert trajectory(nabla) == pytest.approx(trajectory(torch), rel=1e-6)


def test_in_place_on_a_leaf_that_requires_grad():
    w = nabla.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        w += 1
    with nabla.no_grad():
        w += 1
    assert w.tolist() == [2.0, 2.0]


def test_changing_a_saved_tensor_makes_backward_an_error():
    x = nabla.ones(3, requires_grad=True)
    w = nabla.full((3,), 2.0)
    y = (x * w).sum()
    w.mul_(0.0)  # x's gradient is w's old value: PyTorch refuses to compute it, so does nabla
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()
