"""nabla's random functions draw torch's numbers for the same seed (bit for bit)."""
import pytest

import nabla
import torch
from helpers import assert_same


@pytest.mark.parametrize("seed", [0, 1, 42, 2**40 + 3])
def test_streams_like_torch(seeded, seed):
    seeded(seed)
    steps = [
        lambda m: m.rand(5), lambda m: m.rand(2, 3, dtype=m.float64), lambda m: m.randn(7), lambda m: m.randn(3),
        lambda m: m.randn((4, 5), dtype=m.float64), lambda m: m.randn(100), lambda m: m.randint(10, (6,)),
        lambda m: m.randint(-3, 3, (2, 4)), lambda m: m.randint(0, 5, size=(3,)), lambda m: m.randperm(12),
        lambda m: m.normal(0.5, 2.0, size=(9,)), lambda m: m.normal(-1.0, 0.1, (20,)),
        lambda m: m.rand_like(m.zeros(3, 2)), lambda m: m.randn_like(m.zeros(17, dtype=m.float64)),
        lambda m: m.multinomial(m.tensor([0.1, 0.5, 0.4]), 2),
        lambda m: m.multinomial(m.tensor([[1.0, 2.0, 3.0], [3.0, 0.0, 1.0]]), 5, replacement=True),
        lambda m: m.multinomial(m.tensor([0.2, 0.8]), 1),
        lambda m: m.bernoulli(m.full((10,), 0.3)), lambda m: m.zeros(6).uniform_(-2, 2),
        lambda m: m.zeros(5, dtype=m.float64).normal_(1.0, 0.5), lambda m: m.zeros(8).exponential_(),
        lambda m: m.zeros(9).bernoulli_(0.6), lambda m: m.rand(3),
    ]
    for step in steps:
        assert_same(step(nabla), step(torch), exact=True)


def test_normal_with_tensors(seeded):
    mean = [0.0, 1.0, 2.0, 3.0]
    std = [1.0, 0.5, 0.1, 2.0]
    seeded(3)
    a = nabla.normal(nabla.tensor(mean), nabla.tensor(std))
    seeded(3)
    assert_same(a, torch.normal(torch.tensor(mean), torch.tensor(std)))
    seeded(4)
    a = nabla.normal(nabla.tensor(mean), 0.5)
    seeded(4)
    assert_same(a, torch.normal(torch.tensor(mean), 0.5))
    seeded(5)
    a = nabla.normal(2.0, nabla.tensor(std))
    seeded(5)
    assert_same(a, torch.normal(2.0, torch.tensor(std)))


def test_generators_and_manual_seed_result():
    g, tg = nabla.Generator().manual_seed(7), torch.Generator().manual_seed(7)
    assert_same(nabla.rand(4, generator=g), torch.rand(4, generator=tg), exact=True)
    assert_same(nabla.randperm(6, generator=g), torch.randperm(6, generator=tg), exact=True)
    assert g.initial_seed() == tg.initial_seed() == 7
    assert isinstance(nabla.manual_seed(1), nabla.Generator)
    state = nabla.get_rng_state()
    x = nabla.rand(3)
    nabla.set_rng_state(state)
    assert nabla.rand(3).tolist() == x.tolist()


def test_random_requires_grad_and_dtype_errors():
    w = nabla.randn(2, 3, requires_grad=True)
    assert w.requires_grad and w.is_leaf
    with pytest.raises(nabla.DTypeError):
        nabla.rand(2, dtype=nabla.int64)
    with pytest.raises(nabla.ValueError):
        nabla.multinomial(nabla.tensor([0.5, 0.5]), 3)
    with pytest.raises(nabla.ValueError):
        nabla.randint(5, 5, (2,))
