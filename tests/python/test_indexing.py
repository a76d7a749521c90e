"""Indexing against torch 1.13: a randomized sweep of index expressions (ints, negative ints,
slices with steps, None, Ellipsis, int lists and tensors, bool masks of every rank, 0-d tensors,
advanced indices mixed with slices) comparing values, gradients through __getitem__ and
__setitem__, and the errors (an index out of range is an IndexError in both)."""
import numpy as np
import pytest
import torch

import nabla
from helpers import assert_same


class Expr:
    """Builds one random index expression for a shape, as (nabla index, torch index)."""

    def __init__(self, rng, shape):
        self.rng, self.shape = rng, shape

    def part(self, size, allow_mask_rank):
        r = self.rng
        kind = r.choice(["int", "neg", "slice", "step", "list", "tensor", "mask", "none", "zero_d", "full",
                         "bool0"])
        if kind == "bool0":  # x[True] adds a dim of 1, x[False] one of 0
            b = bool(r.random() < 0.5)
            return (b, b, 0) if r.random() < 0.5 else (nabla.tensor(b), torch.tensor(b), 0)
        if size == 0 and kind in ("int", "neg", "list", "tensor", "zero_d"):
            kind = "slice"
        if kind == "int":
            i = int(r.integers(0, size))
            return i, i, 1
        if kind == "neg":
            i = -int(r.integers(1, size + 1))
            return i, i, 1
        if kind == "slice":
            a, b = sorted(int(v) for v in r.integers(-size - 1, size + 2, 2))
            s = slice(a if r.random() < 0.7 else None, b if r.random() < 0.7 else None)
            return s, s, 1
        if kind == "step":
            s = slice(int(r.integers(-size, size + 1)) if r.random() < 0.5 else None, None, int(r.integers(1, 4)))
            return s, s, 1
        if kind == "list":
            idx = [int(v) for v in r.integers(-size, size, int(r.integers(1, 4)))]
            return idx, idx, 1
        if kind == "tensor":
            idx = r.integers(-size, size, tuple(int(d) for d in r.integers(1, 3, int(r.integers(0, 3)))))
            return nabla.tensor(idx), torch.tensor(idx), 1
        if kind == "zero_d":
            i = int(r.integers(-size, size))
            return nabla.tensor(i), torch.tensor(i), 1
        if kind == "none":
            return None, None, 0
        if kind == "mask" and allow_mask_rank >= 1:
            rank = int(r.integers(1, allow_mask_rank + 1))
            m = r.random(self.shape_at(rank)) < 0.5
            return nabla.tensor(m), torch.tensor(m), rank
        return slice(None), slice(None), 1

    def shape_at(self, rank):
        return self.dims[self.at:self.at + rank]

    def build(self):
        r = self.rng
        self.dims, self.at = list(self.shape), 0
        n_parts = int(r.integers(1, len(self.shape) + 2))
        ours, theirs = [], []
        used_ellipsis = False
        for _ in range(n_parts):
            if self.at >= len(self.dims):
                if r.random() < 0.5:
                    ours.append(None)
                    theirs.append(None)
                continue
            if not used_ellipsis and r.random() < 0.15:
                used_ellipsis = True
                ours.append(Ellipsis)
                theirs.append(Ellipsis)
                # the parts after ... index the last dims: jump there
                remaining = n_parts - len(ours)
                self.at = max(self.at, len(self.dims) - remaining)
                continue
            a, b, consumed = self.part(self.dims[self.at], len(self.dims) - self.at)
            ours.append(a)
            theirs.append(b)
            self.at += consumed
        if len(ours) == 1 and r.random() < 0.5:
            return ours[0], theirs[0]
        return tuple(ours), tuple(theirs)


def outcome(fn):
    try:
        return fn(), None
    except IndexError as e:
        return None, IndexError
    except (RuntimeError, ValueError, TypeError) as e:
        return None, type(e)


SHAPES = [(), (5,), (4, 3), (2, 3, 4), (3, 1, 2, 2), (0, 3), (3, 0)]


@pytest.mark.parametrize("seed", range(8))
def test_random_getitem_values_and_gradients(seed):
    rng = np.random.default_rng(seed)
    checked = 0
    for trial in range(150):
        shape = SHAPES[int(rng.integers(0, len(SHAPES)))]
        data = rng.standard_normal(shape)
        ni, ti = Expr(rng, shape).build()
        x = nabla.tensor(data, requires_grad=True)
        tx = torch.tensor(data, requires_grad=True)
        want, terr = outcome(lambda: tx[ti])
        got, nerr = outcome(lambda: x[ni])
        if terr is IndexError:
            assert nerr is IndexError, (shape, ti, got)
            continue
        if terr is not None:
            continue  # torch refuses for another reason: not a case nabla must accept
        assert nerr is None, (shape, ti, nerr)
        assert_same(got, want)
        w = rng.standard_normal(tuple(want.shape))
        (got * nabla.tensor(w)).sum().backward()
        (want * torch.tensor(w)).sum().backward()
        assert_same(x.grad, tx.grad)
        checked += 1
    assert checked > 60


@pytest.mark.parametrize("seed", range(8))
def test_random_setitem_values_and_gradients(seed):
    rng = np.random.default_rng(100 + seed)
    checked = 0
    for trial in range(120):
        shape = SHAPES[int(rng.integers(0, len(SHAPES)))]
        data = rng.standard_normal(shape)
        ni, ti = Expr(rng, shape).build()
        try:
            target = torch.zeros(shape)[ti].shape
        except (IndexError, RuntimeError, ValueError, TypeError):
            continue
        vshape = tuple(target)[int(rng.integers(0, len(target) + 1)):] if len(target) else ()
        if vshape and rng.random() < 0.3:
            vshape = (1,) + vshape[1:]  # broadcast along a dim
        v = rng.standard_normal(vshape)
        base, tbase = nabla.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
        val, tval = nabla.tensor(v, requires_grad=True), torch.tensor(v, requires_grad=True)
        x, tx = base * 1, tbase * 1
        _, terr = outcome(lambda: tx.__setitem__(ti, tval))
        _, nerr = outcome(lambda: x.__setitem__(ni, val))
        if terr is IndexError:
            assert nerr is IndexError, (shape, ti, nerr)
        if terr is not None:
            continue
        assert nerr is None, (shape, ti, nerr)
        assert_same(x, tx)
        w = rng.standard_normal(shape)
        (x * nabla.tensor(w)).sum().backward()
        (tx * torch.tensor(w)).sum().backward()
        assert_same(base.grad, tbase.grad)
        if tval.grad is None:  # x[False] = v: no assignment, no graph
            assert val.grad is None
        else:
            assert_same(val.grad, tval.grad)
        checked += 1
    assert checked > 40


@pytest.mark.parametrize("idx", [0, -1, (1, 2), (slice(None), [0, 2]), (Ellipsis, 1), ([0, 1], [2, 0])])
@pytest.mark.parametrize("value", [7.5, "tensor0", "row"])
def test_setitem_without_grad(idx, value):
    x, tx = nabla.arange(12.0).reshape(3, 4), torch.arange(12.0).reshape(3, 4)
    ref = tx.clone()
    shape = ref[idx].shape
    v = {7.5: 7.5, "tensor0": torch.tensor(-1.0), "row": torch.arange(float(shape[-1]) if len(shape) else 1.0) + 100}[value]
    if value == "row" and not len(shape):
        v = torch.tensor(3.0)
    tx[idx] = v
    x[idx] = nabla.tensor(v.numpy()) if isinstance(v, torch.Tensor) else v
    assert_same(x, tx)


def test_setitem_masks_broadcast_and_duplicates():
    for mask_rank in (1, 2):
        x, tx = nabla.arange(12.0).reshape(3, 4), torch.arange(12.0).reshape(3, 4)
        m = tx > 4 if mask_rank == 2 else torch.tensor([True, False, True])
        x[nabla.tensor(m.numpy())] = 0.5
        tx[m] = 0.5
        assert_same(x, tx)
    # repeated indices: the last assignment wins; each occurrence of the value gets the gradient
    base, tbase = nabla.zeros(4, requires_grad=True), torch.zeros(4, requires_grad=True)
    v, tv = nabla.tensor([1.0, 2.0, 3.0], requires_grad=True), torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x, tx = base * 1, tbase * 1
    x[[1, 3, 1]] = v
    tx[[1, 3, 1]] = tv
    assert_same(x, tx)
    (x * nabla.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    (tx * torch.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    assert_same(v.grad, tv.grad)
    assert_same(base.grad, tbase.grad)


def test_setitem_grad_rules():
    leaf = nabla.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        leaf[0] = 1.0
    with nabla.no_grad():
        leaf[0] = 1.0
    assert leaf.tolist() == [1.0, 0.0, 0.0]
    # a plain tensor given a value that requires grad joins the graph, as in torch
    x, tx = nabla.zeros(3), torch.zeros(3)
    v, tv = nabla.tensor(2.0, requires_grad=True), torch.tensor(2.0, requires_grad=True)
    x[1:] = v
    tx[1:] = tv
    assert x.requires_grad and not x.is_leaf
    (x * nabla.tensor([1.0, 2.0, 3.0])).sum().backward()
    (tx * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert_same(v.grad, tv.grad)
    # the old values were needed by a backward: an error, as torch's version check
    z = nabla.tensor([0.5, -0.5], requires_grad=True)
    y = z.sigmoid()
    y[0] = 1.0
    with pytest.raises(RuntimeError):
        y.sum().backward()


@pytest.mark.parametrize("idx", [5, -6, (0, 4), [0, 7], (slice(None), [4]), (Ellipsis, 9)])
def test_out_of_range_is_index_error(idx):
    x = nabla.zeros(5, 4)
    with pytest.raises(IndexError):
        x[idx]
    with pytest.raises(IndexError):
        torch.zeros(5, 4)[idx]
    with pytest.raises(IndexError):
        x[idx] = 1.0


def test_other_index_errors():
    x = nabla.zeros(2, 3)
    with pytest.raises(IndexError, match="too many indices"):
        x[0, 0, 0]
    with pytest.raises(IndexError, match="single ellipsis"):
        x[..., ...]
    with pytest.raises(IndexError, match="mask"):
        x[nabla.tensor([True, False, True])]
    with pytest.raises(IndexError):
        x["a"]
    with pytest.raises(IndexError, match="0-dim"):
        nabla.tensor(1.0)[0]
    with pytest.raises(ValueError, match="step must be greater than zero"):
        x[::-1]
