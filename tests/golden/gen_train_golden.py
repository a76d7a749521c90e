#!/usr/bin/python3
"""Training trajectories computed by PyTorch for the configs in tests/train/parity_configs/.

This mirrors nabla::train::Trainer exactly (see include/nabla/train/trainer.h):
  - data: the dataset definitions of nabla/data/synthetic.h, from torch.Generator().manual_seed(seed);
  - model: torch.manual_seed(seed), then the layers built in order (nn.Linear's default init);
  - epoch e (1-based): DataLoader(shuffle, generator=torch.Generator().manual_seed(seed*1000003+e));
  - train_loss of an epoch: mean over its batches of the loss before each batch's update;
  - the scheduler steps once per epoch.
Run: /usr/bin/python3 tests/golden/gen_train_golden.py > tests/golden/train_golden.json
"""
import json
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

try:
    import tomllib
except ImportError:  # python < 3.11
    tomllib = None

HERE = os.path.dirname(os.path.abspath(__file__))
CONFIGS = os.path.join(HERE, "..", "train", "parity_configs")


def moons(n, noise, seed, dtype):
    h = max((n + 1) // 2 - 1, 1)
    rows = []
    for i in range(n):
        t = math.pi * (i // 2) / h
        rows.append([math.cos(t), math.sin(t)] if i % 2 == 0 else [1 - math.cos(t), 1 - math.sin(t) - 0.5])
    g = torch.Generator().manual_seed(seed)
    x = torch.tensor(rows, dtype=torch.float64).to(dtype) + noise * torch.randn(n, 2, dtype=dtype, generator=g)
    y = torch.tensor([[float(i % 2)] for i in range(n)], dtype=dtype)
    return x, y


def truth_table(name, n, dtype):
    table = {"xor": [0, 1, 1, 0], "xnor": [1, 0, 0, 1], "and": [0, 0, 0, 1], "or": [0, 1, 1, 1]}[name]
    pts = [[0, 0], [0, 1], [1, 0], [1, 1]]
    x = torch.tensor([pts[i % 4] for i in range(n)], dtype=dtype)
    y = torch.tensor([[float(table[i % 4])] for i in range(n)], dtype=dtype)
    return x, y


class Model(nn.Module):
    def __init__(self, cfg, dtype):
        super().__init__()
        self.specs = cfg["model"]["layers"]
        layers = []
        width = cfg["model"]["inputs"]
        for l in self.specs:
            t = l["type"]
            if t == "linear":
                m = nn.Linear(width, l["out"], bias=l.get("bias", True) is not False, dtype=dtype)
                with torch.no_grad():
                    if "weight" in l:
                        m.weight.copy_(torch.tensor(l["weight"], dtype=dtype))
                    if isinstance(l.get("bias"), list):
                        m.bias.copy_(torch.tensor(l["bias"], dtype=dtype))
                width = l["out"]
            elif t == "relu":
                m = nn.ReLU()
            elif t == "sigmoid":
                m = nn.Sigmoid()
            elif t == "tanh":
                m = nn.Tanh()
            elif t == "batchnorm":
                m = nn.BatchNorm1d(width, eps=l.get("eps", 1e-5), momentum=l.get("momentum", 0.1), dtype=dtype)
            elif t == "dropout":
                m = nn.Dropout(l.get("p", 0.5))
            else:
                m = nn.Identity()
            layers.append(m)
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        named = {}
        h = x
        for spec, layer in zip(self.specs, self.layers):
            h = h + named[spec["from"]] if spec["type"] == "add" else layer(h)
            if "id" in spec:
                named[spec["id"]] = h
        return h


def run(cfg):
    dtype = torch.float64 if cfg.get("dtype", "float32") == "float64" else torch.float32
    seed = cfg.get("seed", 0)
    d = cfg["data"]
    if d["name"] == "moons":
        x, y = moons(d["n"], d.get("noise", 0.1), seed, dtype)
    else:
        x, y = truth_table(d["name"], d["n"], dtype)
    torch.manual_seed(seed)
    model = Model(cfg, dtype)
    lossname = cfg["loss"]["name"]
    red = cfg["loss"].get("reduction", "mean")
    if lossname == "cross_entropy":
        y = y.reshape(-1).long()

    def loss_fn(out, t):
        if lossname == "mse":
            return F.mse_loss(out, t, reduction=red)
        if lossname == "half_mse":
            return 0.5 * F.mse_loss(out, t, reduction=red)
        if lossname == "bce":
            return F.binary_cross_entropy(out, t, reduction=red)
        if lossname == "bce_logits":
            return F.binary_cross_entropy_with_logits(out, t, reduction=red)
        return F.cross_entropy(out, t, reduction=red)

    o = cfg["optim"]
    params = model.parameters()
    name = o["name"]
    if name == "sgd":
        opt = torch.optim.SGD(params, lr=o["lr"], momentum=o.get("momentum", 0.0), weight_decay=o.get("weight_decay", 0.0),
                              nesterov=o.get("nesterov", False))
    elif name == "adam":
        opt = torch.optim.Adam(params, lr=o["lr"], weight_decay=o.get("weight_decay", 0.0))
    elif name == "adamw":
        opt = torch.optim.AdamW(params, lr=o["lr"], weight_decay=o.get("weight_decay", 1e-2))
    elif name == "rmsprop":
        opt = torch.optim.RMSprop(params, lr=o["lr"], momentum=o.get("momentum", 0.0), centered=o.get("centered", False))
    else:
        opt = torch.optim.Adagrad(params, lr=o["lr"])
    s = cfg.get("scheduler", {"name": "none"})
    epochs = cfg["train"]["epochs"]
    sched = None
    if s["name"] == "step":
        sched = torch.optim.lr_scheduler.StepLR(opt, s.get("step_size", 1), s.get("gamma", 0.1))
    elif s["name"] == "exponential":
        sched = torch.optim.lr_scheduler.ExponentialLR(opt, s.get("gamma", 0.1))
    elif s["name"] == "cosine":
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, s.get("t_max", 0) or epochs, s.get("eta_min", 0.0))
    elif s["name"] == "warmup":
        sched = torch.optim.lr_scheduler.LinearLR(opt, s.get("start_factor", 1 / 3), 1.0, max(1, s.get("warmup_epochs", 0)))

    t = cfg["train"]
    bs = t.get("batch_size", 0) or len(x)
    losses, lrs = [], []
    for epoch in range(1, epochs + 1):
        lrs.append(opt.param_groups[0]["lr"])
        model.train()
        g = torch.Generator().manual_seed(seed * 1000003 + epoch)
        loader = DataLoader(TensorDataset(x, y), batch_size=bs, shuffle=t.get("shuffle", False),
                            drop_last=t.get("drop_last", False), generator=g)
        total, count = 0.0, 0
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
            count += 1
        losses.append(total / count)
        if sched:
            sched.step()
    state = {k: v.detach().double().reshape(-1).tolist() for k, v in model.state_dict().items()
             if v.dtype.is_floating_point}
    return {"train_loss": losses, "lr": lrs, "state": state}


def main():
    if tomllib is None:
        sys.exit("needs python >= 3.11 (tomllib)")
    out = {"torch": torch.__version__, "runs": {}}
    for name in sorted(os.listdir(CONFIGS)):
        if name.endswith(".toml"):
            with open(os.path.join(CONFIGS, name), "rb") as f:
                out["runs"][name[:-5]] = run(tomllib.load(f))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
