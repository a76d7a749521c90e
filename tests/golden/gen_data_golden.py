#!/usr/bin/python3
"""Writes tests/golden/data_torch.json: what PyTorch gives for the definitions in
nabla/data/synthetic.h, dataset.h (train_test_split) and dataloader.h, for a few seeds.

Run with Debian's PyTorch (1.13):  /usr/bin/python3 tests/golden/gen_data_golden.py
"""
import json
import math
import os

import torch
from torch.utils.data import DataLoader, random_split

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data_torch.json")


def moons_base(n):
    h = max((n + 1) // 2 - 1, 1)
    rows = []
    for i in range(n):
        t = math.pi * (i // 2) / h
        rows.append([math.cos(t), math.sin(t)] if i % 2 == 0 else [1 - math.cos(t), 1 - math.sin(t) - 0.5])
    return torch.tensor(rows, dtype=torch.float64)


def moons(n, noise, seed, dtype):
    g = torch.Generator().manual_seed(seed)
    x = moons_base(n).to(dtype) + noise * torch.randn(n, 2, dtype=dtype, generator=g)
    return {"n": n, "noise": noise, "seed": seed, "x": x.double().flatten().tolist()}


def blobs(n, k, f, noise, seed, box=10.0):
    g = torch.Generator().manual_seed(seed)
    u = torch.rand(k, f, dtype=torch.float32, generator=g)
    c = ((2 * u.double() - 1) * box).float()
    x0 = c[torch.arange(n) % k]
    x = x0 + noise * torch.randn(n, f, dtype=torch.float32, generator=g)
    return {"n": n, "centers": k, "features": f, "noise": noise, "seed": seed, "x": x.double().flatten().tolist()}


def quantiles(n, k, f, seed):
    g = torch.Generator().manual_seed(seed)
    z = torch.randn(n, f, dtype=torch.float32, generator=g)
    r2 = (z.double() ** 2).sum(1)
    order = sorted(range(n), key=lambda i: (r2[i].item(), i))
    step = n // k
    y = [0] * n
    for rank, i in enumerate(order):
        y[i] = min(rank // step, k - 1)
    return {"n": n, "classes": k, "features": f, "seed": seed, "x": z.double().flatten().tolist(), "y": y}


def loader_case(n, bs, shuffle, drop_last, seed, use_generator, epochs=2):
    if use_generator:
        g = torch.Generator().manual_seed(seed)
        loader = DataLoader(list(range(n)), batch_size=bs, shuffle=shuffle, drop_last=drop_last, generator=g)
    else:
        torch.manual_seed(seed)
        g = None
        loader = DataLoader(list(range(n)), batch_size=bs, shuffle=shuffle, drop_last=drop_last)
    out = [[b.tolist() for b in loader] for _ in range(epochs)]
    after = torch.randperm(5, generator=g).tolist() if g is not None else torch.randperm(5).tolist()
    return {"n": n, "batch_size": bs, "shuffle": shuffle, "drop_last": drop_last, "seed": seed,
            "generator": use_generator, "epochs": out, "randperm5_after": after}


def split_case(n, test_fraction, seed):
    g = torch.Generator().manual_seed(seed)
    train, test = random_split(range(n), [1 - test_fraction, test_fraction], generator=g)
    return {"n": n, "test_fraction": test_fraction, "seed": seed, "train": list(train.indices),
            "test": list(test.indices)}


def main():
    golden = {
        "torch_version": torch.__version__,
        "moons_f32": moons(64, 0.1, 0, torch.float32),
        "moons_f32_small": moons(6, 0.3, 1, torch.float32),  # < 16 values: torch's scalar normal path
        "moons_f64": moons(10, 0.2, 3, torch.float64),
        "blobs": blobs(12, 3, 2, 1.0, 5),
        "gaussian_quantiles": quantiles(20, 3, 2, 2),
        "loaders": [
            loader_case(10, 3, True, False, 7, True),
            loader_case(9, 3, True, False, 7, True),
            loader_case(9, 3, True, True, 7, True),
            loader_case(10, 4, True, True, 11, True),
            loader_case(10, 4, True, False, 123, False),
            loader_case(10, 4, False, False, 5, True),
            loader_case(7, 7, True, False, 2, True),
            loader_case(5, 8, True, True, 3, True),  # drop_last leaves no batch at all
        ],
        "splits": [split_case(10, 0.3, 0), split_case(7, 0.5, 1), split_case(1024, 0.2, 42)],
    }
    with open(OUT, "w") as f:
        json.dump(golden, f)
        f.write("\n")


if __name__ == "__main__":
    main()
