"""nabla.utils.data against torch.utils.data: the order of shuffled batches for the same seed
(with and without a generator, several epochs), the generators' states afterwards, collation,
datasets, samplers, random_split."""
from collections import namedtuple

import numpy as np
import pytest
import torch

import nabla
from nabla.utils.data import DataLoader, Dataset, Subset, TensorDataset, default_collate, random_split
from nn_oracle import arr, both, close, to_nabla

LOADER = """
th.manual_seed(SEED)
x = th.arange(N * 2, dtype=th.float32).reshape(N, 2)
y = th.arange(N)
gen = None
if WITH_GEN:
    gen = th.Generator()
    gen.manual_seed(7)
loader = data.DataLoader(data.TensorDataset(x, y), batch_size=BS, shuffle=SHUFFLE, drop_last=DROP, generator=gen)
epochs = []
for epoch in range(3):
    epochs.append([yb.tolist() for xb, yb in loader])
after = th.rand(3)          # the default generator's state after the epochs
after_gen = th.rand(2, generator=gen) if gen is not None else None
length = len(loader)
"""


@pytest.mark.parametrize("n,bs,shuffle,drop,with_gen", [
    (10, 3, True, False, False), (10, 3, True, True, False), (12, 4, True, False, False),
    (12, 4, True, True, True), (7, 2, True, False, True), (9, 3, False, False, False), (5, 8, True, False, False),
])
def test_loader_order_matches_torch(n, bs, shuffle, drop, with_gen):
    t, m = both(LOADER, SEED=3, N=n, BS=bs, SHUFFLE=shuffle, DROP=drop, WITH_GEN=with_gen)
    assert m["epochs"] == t["epochs"]
    assert m["length"] == t["length"]
    close(m["after"], t["after"])
    if with_gen:
        close(m["after_gen"], t["after_gen"])


def test_batches_are_stacked_rows():
    x = nabla.arange(12, dtype=nabla.float32).reshape(6, 2)
    y = nabla.tensor([0, 1, 0, 1, 1, 0])
    batches = list(DataLoader(TensorDataset(x, y), batch_size=4))
    assert len(batches) == 2
    xb, yb = batches[0]
    assert isinstance(batches[0], list)  # torch collates a tuple sample into a list
    assert tuple(xb.shape) == (4, 2) and xb.dtype == nabla.float32 and yb.dtype == nabla.int64
    close(xb, torch.arange(8, dtype=torch.float32).reshape(4, 2))


def test_default_collate_like_torch():
    Point = namedtuple("Point", "a b")
    cases = [
        [1, 2, 3],
        [1.5, 2.5],
        [0.1, 1e-300],  # Python floats collate to float64, exactly
        [True, False],
        [(1, 2.0), (3, 4.0)],
        [{"a": 1, "b": [1.0, 2.0]}, {"a": 2, "b": [3.0, 4.0]}],
        [Point(1, 2.0), Point(3, 4.0)],
        [np.array([1.0, 2.0]), np.array([3.0, 4.0])],
        [np.float32(1.5), np.float32(2.5)],
        ["x", "y"],
    ]

    def flat(v):
        if isinstance(v, (torch.Tensor, nabla.Tensor)):
            return ("T", str(v.dtype).split(".")[-1], tuple(v.shape), arr(v).tolist())
        if isinstance(v, dict):
            return ("D", type(v).__name__, {k: flat(x) for k, x in v.items()})
        if isinstance(v, (list, tuple)):
            return (type(v).__name__, [flat(x) for x in v])
        return v

    for batch in cases:
        assert flat(default_collate(batch)) == flat(torch.utils.data.default_collate(batch)), batch
    tb = [torch.ones(2), torch.zeros(2)]
    close(default_collate([to_nabla(b) for b in tb]), torch.utils.data.default_collate(tb))
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError):
        default_collate([object()])


class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return {"x": nabla.tensor([float(i)]), "y": i * i}


def test_subclassed_dataset_and_subset():
    loader = DataLoader(Squares(5), batch_size=2)
    batches = list(loader)
    assert len(batches) == len(loader) == 3
    assert tuple(batches[0]["x"].shape) == (2, 1) and batches[0]["y"].tolist() == [0, 1]
    assert batches[2]["y"].tolist() == [16]
    sub = Subset(Squares(10), [9, 1])
    assert len(sub) == 2 and sub[0]["y"] == 81
    assert len(Squares(2) + Squares(3)) == 5
    assert list(DataLoader([1, 2, 3], batch_size=None)) == list(torch.utils.data.DataLoader([1, 2, 3], batch_size=None))


def test_random_split_matches_torch():
    t, n = both("""
th.manual_seed(4)
parts = data.random_split(range(10), [3, 7])
idx = [list(p.indices) for p in parts]
g = th.Generator(); g.manual_seed(42)
parts2 = data.random_split(range(10), [0.5, 0.5], generator=g)
idx2 = [list(p.indices) for p in parts2]
""")
    assert n["idx"] == t["idx"] and n["idx2"] == t["idx2"]
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(range(10), [3, 3])


def test_errors():
    with pytest.raises(ValueError, match="Size mismatch"):
        TensorDataset(nabla.zeros(3, 2), nabla.zeros(4))
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(range(3), batch_size=0)
    with pytest.raises(ValueError, match="mutually exclusive"):
        DataLoader(range(3), sampler=[0, 1, 2], shuffle=True)


SAMPLERS = """
th.manual_seed(SEED)
ds = list(range(N))
g = th.Generator(); g.manual_seed(11)
out = {}
out["rep"] = list(data.RandomSampler(ds, replacement=True, num_samples=K))
out["rep_default_n"] = list(data.RandomSampler(ds, replacement=True))
out["rep_gen"] = list(data.RandomSampler(ds, replacement=True, num_samples=K, generator=g))
out["perm_more"] = list(data.RandomSampler(ds, num_samples=N + 3, generator=g))
out["seq"] = list(data.SequentialSampler(ds))
out["subset"] = list(data.SubsetRandomSampler([5, 1, 9, 3], generator=g))
out["subset_default"] = list(data.SubsetRandomSampler(range(4)))
w = [0.1, 0.9, 0.4, 0.7, 3.0, 0.6]
out["weighted"] = list(data.WeightedRandomSampler(w, K))
out["weighted_norep"] = list(data.WeightedRandomSampler(w, 5, replacement=False, generator=g))
out["weighted_tensor"] = list(data.WeightedRandomSampler(th.tensor(w), 7, generator=g))
out["batches"] = list(data.BatchSampler(data.RandomSampler(ds, generator=g), 3, False))
out["batches_drop"] = list(data.BatchSampler(data.SequentialSampler(ds), 4, True))
out["lens"] = [len(data.RandomSampler(ds, replacement=True, num_samples=K)), len(data.WeightedRandomSampler(w, K)),
               len(data.BatchSampler(range(N), 4, False)), len(data.BatchSampler(range(N), 4, True))]
x = th.arange(N, dtype=th.float32) * 10
y = th.arange(N)
loader = data.DataLoader(data.TensorDataset(x, y), batch_size=4,
                         sampler=data.RandomSampler(range(N), replacement=True, num_samples=10, generator=g))
out["loader_sampler"] = [yb.tolist() for _, yb in loader]
loader = data.DataLoader(data.TensorDataset(x, y), batch_sampler=data.BatchSampler(range(N), 3, True))
out["loader_batch_sampler"] = [yb.tolist() for _, yb in loader]
g2 = th.Generator(); g2.manual_seed(5)
loader = data.DataLoader(list(zip(range(N), [float(i) / 2 for i in range(N)])), batch_size=5, shuffle=True, generator=g2)
out["loader_gen"] = [[a.tolist(), b.tolist()] for a, b in loader]
dicts = [{"x": th.tensor([float(i), 1.0]), "label": i, "name": "s%d" % i} for i in range(N)]
out["loader_dict"] = [(b["x"].tolist(), b["label"].tolist(), b["name"]) for b in data.DataLoader(dicts, batch_size=4)]
out["after"] = th.rand(2).tolist()
out["after_g"] = th.rand(2, generator=g).tolist()
"""


@pytest.mark.parametrize("n,k", [(10, 5), (7, 32), (13, 70), (40, 1)])
def test_samplers_match_torch(n, k):
    t, m = both(SAMPLERS, SEED=9, N=n, K=k)
    for key in t["out"]:
        assert m["out"][key] == t["out"][key], key


def test_sampler_errors():
    from nabla.utils.data import RandomSampler, WeightedRandomSampler
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        RandomSampler(range(3), replacement=True, num_samples=0)
    with pytest.raises(TypeError, match="replacement should be a boolean"):
        RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError, match="weights should be a 1d sequence"):
        WeightedRandomSampler([[0.5, 0.5]], 2)
    with pytest.raises(ValueError, match="num_samples"):
        WeightedRandomSampler([0.5, 0.5], True)
