"""nabla.optim.lr_scheduler against torch's: lr sequences over many epochs (chainable formulas),
get_last_lr, state_dict, and that a built-in optimizer's C++ step sees the scheduled lr."""
import pytest

import nabla
from nabla import nn, optim
from nn_oracle import both, close

SCHEDULES = [
    "StepLR(opt, step_size=3, gamma=0.5)",
    "MultiStepLR(opt, milestones=[2, 5, 5, 9], gamma=0.3)",
    "ExponentialLR(opt, gamma=0.9)",
    "CosineAnnealingLR(opt, T_max=7, eta_min=0.001)",
    "LinearLR(opt, start_factor=0.1, end_factor=1.0, total_iters=6)",
    "LambdaLR(opt, lambda e: 1.0 / (1 + e))",
    "SequentialLR(opt, [lr_scheduler.LinearLR(opt, start_factor=0.01, total_iters=4), "
    "lr_scheduler.CosineAnnealingLR(opt, T_max=10)], milestones=[4])",
]

SRC = """
lr_scheduler = optim.lr_scheduler
w = nn.Parameter(th.ones(3))
opt = optim.SGD([{"params": [w]}, {"params": [nn.Parameter(th.ones(1))], "lr": 0.5}], lr=0.1, momentum=0.9)
sched = eval("lr_scheduler." + SCHED)
lrs = [sched.get_last_lr()]
seen = [[g["lr"] for g in opt.param_groups]]
for epoch in range(25):
    opt.zero_grad()
    (w * w).sum().backward()
    opt.step()
    sched.step()
    lrs.append(sched.get_last_lr())
    seen.append([g["lr"] for g in opt.param_groups])
state = {k: v for k, v in sched.state_dict().items() if k not in ("lr_lambdas", "_schedulers")}
"""


@pytest.mark.parametrize("sched", SCHEDULES, ids=[s.split("(")[0] for s in SCHEDULES])
def test_schedules_match_torch(sched):
    t, n = both(SRC, SCHED=sched)
    assert n["lrs"] == t["lrs"]  # the same arithmetic: equal, not just close
    assert n["seen"] == t["seen"]
    close(n["w"], t["w"], rtol=1e-6)  # the C++ SGD stepped with the scheduled lr
    assert n["state"].keys() == t["state"].keys()
    for k in ("last_epoch", "_step_count", "base_lrs", "_last_lr"):
        if k in t["state"]:
            assert n["state"][k] == t["state"][k], k


def test_initial_lr_and_resume():
    w = nn.Parameter(nabla.ones(1))
    opt = optim.Adam([w], lr=0.1)
    s = optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    assert opt.param_groups[0]["initial_lr"] == 0.1
    for _ in range(3):
        s.step()
    state = s.state_dict()
    opt2 = optim.Adam([nn.Parameter(nabla.ones(1))], lr=0.1)
    with pytest.raises(KeyError, match="initial_lr"):
        optim.lr_scheduler.ExponentialLR(opt2, gamma=0.5, last_epoch=2)
    s2 = optim.lr_scheduler.ExponentialLR(opt2, gamma=0.5)
    s2.load_state_dict(state)
    assert s2.last_epoch == 3 and s2.get_last_lr() == [0.1 * 0.5 ** 3]
    with pytest.raises(TypeError, match="is not an Optimizer"):
        optim.lr_scheduler.StepLR(object(), 1)


def test_closed_form_step_epoch_matches_torch():
    t, n = both("""
import warnings
w = nn.Parameter(th.ones(1))
opt = optim.SGD([w], lr=1.0)
s = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.1)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    s.step(5)
lr = opt.param_groups[0]["lr"]
""")
    assert n["lr"] == t["lr"]
