#!/usr/bin/python3
"""Golden values for nabla::optim, computed by PyTorch 1.13 (Debian python3-torch).

trajectories: each optimizer case (single-tensor code, foreach=False) runs `steps` steps from the
  same initial parameters W (3, 4), b (4,), z (3,), with gradients of the fixed loss below; b's
  gradient is set to None on every third step (t % 3 == 2) and z never gets one, so the
  skipping of parameters without a gradient is covered. The parameters after every step are
  recorded. Some cases step an LR scheduler after the optimizer.
schedulers: get_last_lr() after construction and after each step, two parameter groups.
clip: clip_grad_norm_ / clip_grad_value_ on fixed gradients: total norm and clipped gradients.
The C++ tests (tests/optim/*_test.cpp) build the same cases by name.
Run: /usr/bin/python3 tests/golden/gen_optim_golden.py > tests/golden/optim_golden.json
"""
import json
import warnings

import torch

warnings.filterwarnings("ignore")  # scheduler stepped without optimizer.step(): intended here
torch.set_default_dtype(torch.float64)


def vals(shape, seed, lo, hi):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(shape, generator=g) * (hi - lo) + lo


INIT = {"W": vals((3, 4), 1, -1.5, 1.5), "b": vals((4,), 2, -1.0, 1.0), "z": vals((3,), 3, -1.0, 1.0)}
# Targets far from the start, so gradients stay away from zero where float32 noise would flip signs.
CONSTS = {"h": vals((3, 4), 4, 0.5, 2.0), "c": vals((3, 4), 5, 1.5, 3.0),
          "k": vals((4,), 6, 0.5, 1.5), "d": vals((4,), 7, -3.0, -1.5)}


def loss_fn(W, b, K):
    return ((0.5 * K["h"] * (W - K["c"]) * (W - K["c"])).sum() + 0.3 * torch.sin(3.0 * W).sum()
            + 0.2 * torch.tanh(W * b).sum() + (0.5 * K["k"] * (b - K["d"]) * (b - K["d"])).sum()
            + torch.sin(b).sum())


O = torch.optim
S = O.lr_scheduler
# name -> (optimizer factory over [W, b, z], optional scheduler factory, steps)
CASES = {
    "sgd_plain": (lambda p: O.SGD(p, lr=0.05), None, 25),
    "sgd_momentum": (lambda p: O.SGD(p, lr=0.05, momentum=0.9), None, 25),
    "sgd_momentum_dampening_wd": (lambda p: O.SGD(p, lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01), None, 25),
    "sgd_nesterov_wd": (lambda p: O.SGD(p, lr=0.03, momentum=0.8, nesterov=True, weight_decay=0.05), None, 25),
    "sgd_maximize": (lambda p: O.SGD(p, lr=0.02, momentum=0.5, maximize=True), None, 25),
    "sgd_two_groups": (lambda p: O.SGD([{"params": [p[0]]}, {"params": [p[1], p[2]], "lr": 0.02, "nesterov": True}],
                                       lr=0.05, momentum=0.9), None, 25),
    "sgd_steplr": (lambda p: O.SGD(p, lr=0.1, momentum=0.9), lambda o: S.StepLR(o, 4, 0.5), 25),
    "adam_default": (lambda p: O.Adam(p, lr=0.05), None, 25),
    "adam_wd_amsgrad": (lambda p: O.Adam(p, lr=0.05, betas=(0.8, 0.95), weight_decay=0.1, amsgrad=True), None, 25),
    "adam_maximize": (lambda p: O.Adam(p, lr=0.01, eps=1e-6, maximize=True), None, 25),
    "adam_two_groups": (lambda p: O.Adam([{"params": [p[0]]}, {"params": [p[1], p[2]], "lr": 0.01, "weight_decay": 0.5}],
                                         lr=0.05), None, 25),
    "adam_cosine": (lambda p: O.Adam(p, lr=0.1), lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.01), 25),
    "adamw_default": (lambda p: O.AdamW(p, lr=0.05), None, 25),
    "adamw_amsgrad": (lambda p: O.AdamW(p, lr=0.05, betas=(0.85, 0.99), weight_decay=0.2, amsgrad=True), None, 25),
    "adamw_maximize": (lambda p: O.AdamW(p, lr=0.02, maximize=True), None, 25),
    "rmsprop_default": (lambda p: O.RMSprop(p, lr=0.01), None, 25),
    "rmsprop_centered_momentum_wd": (lambda p: O.RMSprop(p, lr=0.01, alpha=0.9, momentum=0.7, centered=True,
                                                          weight_decay=0.05), None, 25),
    "rmsprop_momentum": (lambda p: O.RMSprop(p, lr=0.005, momentum=0.9, eps=1e-6), None, 25),
    "rmsprop_centered_maximize": (lambda p: O.RMSprop(p, lr=0.005, centered=True, maximize=True), None, 25),
    "adagrad_default": (lambda p: O.Adagrad(p, lr=0.1), None, 25),
    "adagrad_decay_wd_init": (lambda p: O.Adagrad(p, lr=0.1, lr_decay=0.05, weight_decay=0.1,
                                                  initial_accumulator_value=0.5, eps=1e-6), None, 25),
    "adagrad_maximize": (lambda p: O.Adagrad(p, lr=0.05, maximize=True), None, 25),
}
FLOAT32_CASES = ["sgd_momentum_dampening_wd", "sgd_nesterov_wd", "adam_wd_amsgrad", "adamw_amsgrad",
                 "rmsprop_centered_momentum_wd", "adagrad_decay_wd_init"]


def trajectory(name, dtype):
    make_opt, make_sched, steps = CASES[name]
    params = [INIT[k].to(dtype).clone().requires_grad_() for k in ("W", "b", "z")]
    K = {k: v.to(dtype) for k, v in CONSTS.items()}
    opt = make_opt(params)
    sched = make_sched(opt) if make_sched else None
    out = []
    for t in range(steps):
        opt.zero_grad(set_to_none=True)
        loss_fn(params[0], params[1], K).backward()
        if t % 3 == 2:
            params[1].grad = None
        opt.step()
        if sched:
            sched.step()
        out.append(torch.cat([p.detach().reshape(-1) for p in params]).double().tolist())
    return {"name": name, "dtype": "float32" if dtype == torch.float32 else "float64", "steps": steps, "params": out}


def dummy_optimizer():
    return O.SGD([{"params": [torch.zeros(2, requires_grad=True)]},
                  {"params": [torch.zeros(3, requires_grad=True)], "lr": 0.02}], lr=0.1)


SCHEDULERS = {
    "steplr": (lambda o: S.StepLR(o, step_size=7, gamma=0.5), 60),
    "multisteplr": (lambda o: S.MultiStepLR(o, milestones=[5, 12, 12, 30], gamma=0.3), 60),
    "exponentiallr": (lambda o: S.ExponentialLR(o, gamma=0.93), 60),
    "cosine": (lambda o: S.CosineAnnealingLR(o, T_max=20, eta_min=0.001), 90),
    "cosine_no_eta_min": (lambda o: S.CosineAnnealingLR(o, T_max=17), 60),
    "linearlr_warmup": (lambda o: S.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=10), 60),
    "linearlr_decay": (lambda o: S.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=30), 60),
    "sequential_warmup_cosine": (lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, total_iters=5),
                                                              S.CosineAnnealingLR(o, T_max=45, eta_min=1e-4)],
                                                          milestones=[5]), 60),
    "sequential_three": (lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.5, total_iters=4),
                                                      S.StepLR(o, step_size=5, gamma=0.5),
                                                      S.ExponentialLR(o, gamma=0.9)],
                                                  milestones=[6, 20]), 60),
    # nabla's warmup_cosine(opt, 8, 60, 1e-3, 0.002) is this composition.
    "warmup_cosine_helper": (lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=1e-3, end_factor=1.0, total_iters=8),
                                                          S.CosineAnnealingLR(o, T_max=52, eta_min=0.002)],
                                                      milestones=[8]), 60),
}


def lr_sequence(name):
    make, steps = SCHEDULERS[name]
    opt = dummy_optimizer()
    sched = make(opt)
    lrs = [list(sched.get_last_lr())]
    for _ in range(steps):
        opt.step()
        sched.step()
        lrs.append(list(sched.get_last_lr()))
    return {"name": name, "lrs": lrs}


def clip_cases():
    grads = [vals((3, 4), 11, -2.0, 2.0), vals((5,), 12, -1.0, 1.0), vals((2, 2), 13, -3.0, 3.0)]
    out = []
    settings = [("norm2_clipped", "norm", 1.0, 2.0), ("norm2_unclipped", "norm", 100.0, 2.0),
                ("norm_inf", "norm", 0.5, float("inf")), ("norm1", "norm", 2.0, 1.0),
                ("norm3", "norm", 1.0, 3.0), ("value", "value", 0.7, None)]
    for name, kind, limit, norm_type in settings:
        params = [torch.zeros_like(g, requires_grad=True) for g in grads] + [torch.zeros(2, requires_grad=True)]
        for p, g in zip(params, grads):
            p.grad = g.clone()
        total = None
        if kind == "norm":
            total = float(torch.nn.utils.clip_grad_norm_(params, limit, norm_type))
        else:
            torch.nn.utils.clip_grad_value_(params, limit)
        out.append({"name": name, "kind": kind, "limit": limit,
                    "norm_type": "inf" if norm_type == float("inf") else norm_type, "total": total,
                    "clipped": [p.grad.reshape(-1).tolist() for p in params[:3]]})
    return {"grads": [{"shape": list(g.shape), "data": g.reshape(-1).tolist()} for g in grads], "cases": out}


def main():
    doc = {
        "torch_version": torch.__version__,
        "init": {k: {"shape": list(v.shape), "data": v.reshape(-1).tolist()} for k, v in INIT.items()},
        "consts": {k: {"shape": list(v.shape), "data": v.reshape(-1).tolist()} for k, v in CONSTS.items()},
        "trajectories": [trajectory(n, torch.float64) for n in CASES]
                        + [trajectory(n, torch.float32) for n in FLOAT32_CASES],
        "schedulers": [lr_sequence(n) for n in SCHEDULERS],
        "clip": clip_cases(),
    }
    print(json.dumps(doc, indent=None))


if __name__ == "__main__":
    main()
