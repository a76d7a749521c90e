#!/usr/bin/python3
"""Golden values for tests/demo/dense_configs_test.cpp: the dense-network homework's protocol
run in PyTorch, as the notebook runs it.

Run with Debian's PyTorch (1.13), scikit-learn (1.2.1) and numpy (1.24) (18 runs of 200 epochs
on one thread: 7 minutes on the 2-vCPU build machine, shared):
    /usr/bin/python3 tests/golden/gen_dense_configs.py > tests/golden/dense_configs_golden.json

Protocol (issue #15, item 4): load_diabetes(); train_test_split test 0.3 (random_state=42), the
training part again with test 0.2 (random_state=42): 247 / 62 / 133 rows; StandardScaler fitted
on the training rows; float32 tensors (y as [N, 1]); MSELoss; one DataLoader(batch_size=8,
shuffle=True, drop_last=True) with no generator, so its shuffles come from the global generator
that dropout also draws from; torch.manual_seed(42) before building each model; AdamW lr 1e-2
(configuration 3: weight_decay 1e-3; 1 and 2: AdamW's default 1e-2); 200 epochs. Per epoch: the
training MSE is the mean over the epoch's 30 batches of loss.item() (train mode, before each
step), the validation MSE the loss on the 62 validation rows in eval mode. At the end: the test
MSE (eval mode) and the test MSE of predicting the training targets' mean; and the loss of each
of the first epoch's 30 batches.

The spread rounding alone causes: each configuration is also run (a) in float64 and (b) in
float32 with every initial parameter moved by one ulp (nextafter up, then down), and (c) with the
standardised training features moved by one ulp (up, then down). For each variant the final
test MSE, and the first epoch whose training or validation MSE differs from the float32 run by
more than 1e-4 relative, are stored, and per epoch (and per batch of the first epoch) the largest
distance of a variant from the float32 run: the spread.
"""
import json
import math
import sys

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
EPOCHS = 200

CONFIGS = [
    {"name": "config1", "hidden": [32, 16, 8, 2], "norm": "batchnorm",
     "activations": ["relu", "sigmoid", "relu", "sigmoid"], "dropout": [0.2, 0.2, 0.2, 0.2], "weight_decay": None},
    {"name": "config2", "hidden": [64, 128, 64, 32, 16], "norm": "groupnorm4",
     "activations": ["elu", "leaky_relu", "gelu", "silu", "relu"], "dropout": [0.1, 0.2, 0.3, 0.3, 0.2],
     "weight_decay": None},
    {"name": "config3", "hidden": [10, 20], "norm": None, "activations": ["sigmoid", "sigmoid"],
     "dropout": [0.2, 0.2], "weight_decay": 1e-3},
]
ACT = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "elu": nn.ELU, "leaky_relu": nn.LeakyReLU, "gelu": nn.GELU,
       "silu": nn.SiLU}


def data():
    X, y = load_diabetes(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=42)
    X_train, X_val, y_train, y_val = train_test_split(X_train, y_train, test_size=0.2, random_state=42)
    scaler = StandardScaler()
    X_train = scaler.fit_transform(X_train)
    X_val = scaler.transform(X_val)
    X_test = scaler.transform(X_test)
    return X_train, X_val, X_test, y_train, y_val, y_test


def build(cfg, dtype):
    layers, prev = [], 10
    for width, act, p in zip(cfg["hidden"], cfg["activations"], cfg["dropout"]):
        layers.append(nn.Linear(prev, width))
        if cfg["norm"] == "batchnorm":
            layers.append(nn.BatchNorm1d(width))
        elif cfg["norm"] == "groupnorm4":
            layers.append(nn.GroupNorm(4, width))
        layers += [ACT[act](), nn.Dropout(p)]
        prev = width
    layers.append(nn.Linear(prev, 1))
    return nn.Sequential(*layers).to(dtype)


def run(cfg, dtype=torch.float32, param_ulp=0, x_ulp=0):
    X_train, X_val, X_test, y_train, y_val, y_test = data()
    t = lambda a: torch.tensor(a, dtype=dtype)
    Xtr, Xva, Xte = t(X_train), t(X_val), t(X_test)
    if x_ulp:
        Xtr = torch.nextafter(Xtr, torch.full_like(Xtr, math.inf * x_ulp))
    ytr, yva, yte = t(y_train).reshape(-1, 1), t(y_val).reshape(-1, 1), t(y_test).reshape(-1, 1)
    loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=8, shuffle=True, drop_last=True)
    torch.manual_seed(42)
    model = build(cfg, dtype)
    if param_ulp:
        with torch.no_grad():
            for p in model.parameters():
                p.copy_(torch.nextafter(p, torch.full_like(p, math.inf * param_ulp)))
    kw = {} if cfg["weight_decay"] is None else {"weight_decay": cfg["weight_decay"]}
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2, **kw)
    loss_fn = nn.MSELoss()
    train_mse, val_mse, first_batches = [], [], None
    for epoch in range(EPOCHS):
        model.train()
        losses = []
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        if first_batches is None:
            first_batches = list(losses)
        train_mse.append(sum(losses) / len(losses))
        model.eval()
        with torch.no_grad():
            val_mse.append(loss_fn(model(Xva), yva).item())
    model.eval()
    with torch.no_grad():
        test_mse = loss_fn(model(Xte), yte).item()
    return {"params": sum(p.numel() for p in model.parameters()), "train_mse": train_mse, "val_mse": val_mse,
            "batch_mse_epoch1": first_batches,
            "test_mse": test_mse, "batches": len(loader),
            "mean_predictor_test_mse": float(np.mean((y_test - np.mean(y_train)) ** 2))}


def first_divergence(a, b, rel=1e-4):
    for e in range(EPOCHS):
        for key in ("train_mse", "val_mse"):
            if abs(a[key][e] - b[key][e]) > rel * abs(b[key][e]):
                return e + 1
    return None


out = {"torch": torch.__version__, "epochs": EPOCHS, "configs": []}
for cfg in CONFIGS:
    base = run(cfg)
    variants = {"float64": run(cfg, torch.float64), "params_ulp_up": run(cfg, param_ulp=1),
                "params_ulp_down": run(cfg, param_ulp=-1), "x_ulp_up": run(cfg, x_ulp=1),
                "x_ulp_down": run(cfg, x_ulp=-1)}
    entry = dict(cfg)
    entry.update(base)
    entry["variants"] = {k: {"test_mse": v["test_mse"], "first_divergence": first_divergence(v, base),
                             "final_train_mse": v["train_mse"][-1], "final_val_mse": v["val_mse"][-1]}
                         for k, v in variants.items()}
    # The spread rounding alone causes, per epoch and per batch of the first epoch: the largest
    # distance of a variant from the float32 run.
    spread = lambda key: [max(abs(v[key][i] - base[key][i]) for v in variants.values())
                          for i in range(len(base[key]))]
    entry["spread"] = {"train_mse": spread("train_mse"), "val_mse": spread("val_mse"),
                       "batch_mse_epoch1": spread("batch_mse_epoch1"),
                       "test_mse": max(abs(v["test_mse"] - base["test_mse"]) for v in variants.values())}
    out["configs"].append(entry)
    print(cfg["name"], base["params"], base["test_mse"], {k: (v["test_mse"], entry["variants"][k]["first_divergence"])
                                                          for k, v in variants.items()}, file=sys.stderr)
json.dump(out, sys.stdout, separators=(",", ":"))
sys.stdout.write("\n")
