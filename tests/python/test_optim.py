"""nabla.optim against torch.optim: trajectories of every built-in optimizer (and of one written
in Python) on the same source text, param_groups / state / state_dict semantics, errors."""
import pytest
import torch

import nabla
from nabla import nn, optim
from nn_oracle import both, close, to_nabla

TRAIN = """
th.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 1)).double()
x = th.randn(16, 3, dtype=th.float64)
y = th.randn(16, 1, dtype=th.float64)
opt = OPT(model.parameters(), **KW)
losses = []
for step in range(STEPS):
    opt.zero_grad()
    loss = F.mse_loss(model(x), y)
    loss.backward()
    opt.step()
    losses.append(loss.item())
"""

CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-2)),
    ("SGD", dict(lr=0.05, momentum=0.5, dampening=0.3, maximize=False)),
    ("Adam", dict()),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), weight_decay=1e-3, amsgrad=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.02, weight_decay=0.1, amsgrad=True)),
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=0.005, momentum=0.9, centered=True, weight_decay=1e-3)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=1e-2, initial_accumulator_value=0.1, weight_decay=1e-3)),
]


def run(name, kw, steps=30, extra=""):
    out = []
    for th in (torch, nabla):
        ns = {"th": th, "nn": th.nn, "F": th.nn.functional, "OPT": getattr(th.optim, name), "KW": kw, "STEPS": steps}
        exec(TRAIN + extra, ns)
        out.append(ns)
    return out


@pytest.mark.parametrize("name,kw", CONFIGS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CONFIGS)])
def test_builtin_trajectories_match_torch(name, kw):
    t, n = run(name, kw)
    close(n["losses"], t["losses"], rtol=1e-10)
    for tp, np_ in zip(t["model"].parameters(), n["model"].parameters()):
        close(np_, tp, rtol=1e-9, atol=1e-12)
    # The state: torch's keys, and the C++ buffers' values.
    for tp, np_ in zip(t["model"].parameters(), n["model"].parameters()):
        ts, ns = t["opt"].state[tp], n["opt"].state[np_]
        assert sorted(ns) == sorted(ts), (sorted(ns), sorted(ts))
        for k in ts:
            if ts[k] is None:
                assert ns[k] is None
            else:
                close(ns[k], ts[k], rtol=1e-9, atol=1e-12)


def test_defaults_and_repr_match_torch():
    for name in ("Adam", "AdamW", "RMSprop", "Adagrad"):
        t, n = run(name, {}, steps=0)
        tg, ng = t["opt"].param_groups[0], n["opt"].param_groups[0]
        assert {k: v for k, v in ng.items() if k != "params"} == {k: v for k, v in tg.items() if k != "params"}
        assert repr(n["opt"]) == repr(t["opt"])
    t, n = run("SGD", {"lr": 0.1}, steps=0)
    assert repr(n["opt"]) == repr(t["opt"])


def test_param_groups_scheduling_by_hand_and_add_param_group():
    extra = """
opt.param_groups[0]["lr"] = 0.001
for g in opt.param_groups:
    g["betas"] = (0.5, 0.9)
for step in range(5):
    opt.zero_grad(); loss = F.mse_loss(model(x), y); loss.backward(); opt.step(); losses.append(loss.item())
extra = nn.Parameter(th.ones(2, dtype=th.float64))
opt.add_param_group({"params": [extra], "lr": 0.5})
for step in range(5):
    opt.zero_grad(); loss = F.mse_loss(model(x), y) + (extra ** 2).sum(); loss.backward(); opt.step()
    losses.append(loss.item())
"""
    t, n = run("Adam", {"lr": 0.05}, steps=5, extra=extra)
    close(n["losses"], t["losses"], rtol=1e-10)
    close(n["extra"], t["extra"], rtol=1e-10)
    assert len(n["opt"].param_groups) == 2 and n["opt"].param_groups[1]["betas"] == (0.9, 0.999)


def test_groups_given_as_dicts():
    src = """
th.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1)).double()
x = th.randn(8, 3, dtype=th.float64); y = th.randn(8, 1, dtype=th.float64)
opt = optim.SGD([{"params": model[0].parameters()}, {"params": model[2].parameters(), "lr": 0.01}],
                lr=0.1, momentum=0.9)
for _ in range(10):
    opt.zero_grad(); F.mse_loss(model(x), y).backward(); opt.step()
sd = opt.state_dict()
"""
    t, n = both(src)
    for tp, np_ in zip(t["model"].parameters(), n["model"].parameters()):
        close(np_, tp, rtol=1e-10)
    assert [g["lr"] for g in n["opt"].param_groups] == [0.1, 0.01]
    tsd, nsd = t["sd"], n["sd"]
    assert [g["params"] for g in nsd["param_groups"]] == [g["params"] for g in tsd["param_groups"]] == [[0, 1], [2, 3]]
    assert nsd["param_groups"] == tsd["param_groups"]
    assert sorted(nsd["state"]) == sorted(tsd["state"]) == [0, 1, 2, 3]
    for k in tsd["state"]:
        close(nsd["state"][k]["momentum_buffer"], tsd["state"][k]["momentum_buffer"], rtol=1e-10)


def test_state_dict_round_trip_resumes_exactly():
    nabla.manual_seed(0)
    model = nn.Linear(3, 2).double()
    x, y = nabla.randn(5, 3, dtype=nabla.float64), nabla.randn(5, 2, dtype=nabla.float64)
    opt = optim.Adam(model.parameters(), lr=0.01)

    def step(m, o):
        o.zero_grad()
        loss = nn.functional.mse_loss(m(x), y)
        loss.backward()
        o.step()
        return loss.item()

    for _ in range(3):
        step(model, opt)
    saved_model, saved_opt = model.state_dict(), opt.state_dict()
    saved_model = {k: v.clone() for k, v in saved_model.items()}
    # As torch's, a state_dict holds the live state tensors: snapshot them.
    saved_opt["state"] = {k: {kk: vv.clone() for kk, vv in s.items()} for k, s in saved_opt["state"].items()}
    assert saved_opt["state"][0]["step"].item() == 3.0
    expected = [step(model, opt) for _ in range(4)]
    model2 = nn.Linear(3, 2).double()
    model2.load_state_dict(saved_model)
    opt2 = optim.Adam(model2.parameters(), lr=0.5)
    opt2.load_state_dict(saved_opt)
    assert opt2.param_groups[0]["lr"] == 0.01
    assert [step(model2, opt2) for _ in range(4)] == expected


def test_load_torch_optimizer_state():
    torch.manual_seed(0)
    tm = torch.nn.Linear(3, 2).double()
    x, y = torch.randn(5, 3, dtype=torch.float64), torch.randn(5, 2, dtype=torch.float64)
    to = torch.optim.AdamW(tm.parameters(), lr=0.01)
    for _ in range(3):
        to.zero_grad(); torch.nn.functional.mse_loss(tm(x), y).backward(); to.step()
    nm = nn.Linear(3, 2).double()
    nm.load_state_dict({k: to_nabla(v) for k, v in tm.state_dict().items()})
    no = optim.AdamW(nm.parameters())
    sd = to.state_dict()
    no.load_state_dict({"state": {k: {kk: to_nabla(vv) for kk, vv in s.items()} for k, s in sd["state"].items()},
                        "param_groups": sd["param_groups"]})
    nx, ny = to_nabla(x), to_nabla(y)
    for _ in range(3):
        to.zero_grad(); torch.nn.functional.mse_loss(tm(x), y).backward(); to.step()
        no.zero_grad(); nn.functional.mse_loss(nm(nx), ny).backward(); no.step()
    close(nm.weight, tm.weight, rtol=1e-10)
    close(no.state[nm.weight]["exp_avg_sq"], to.state[tm.weight]["exp_avg_sq"], rtol=1e-10)


PY_OPT = """
class HandSGD(optim.Optimizer):
    def __init__(self, params, lr=0.1, momentum=0.0):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @th.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with th.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if group["momentum"]:
                    buf = state.get("buf")
                    if buf is None:
                        buf = state["buf"] = p.grad.clone()
                    else:
                        buf.mul_(group["momentum"]).add_(p.grad)
                    p.data.sub_(group["lr"] * buf)
                else:
                    p.data.sub_(group["lr"] * p.grad)
        return loss

th.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
x = th.randn(32, 2); y = (x[:, :1] * x[:, 1:] > 0).float()
opt = HandSGD(model.parameters(), lr=0.1, momentum=0.9)
sched = optim.lr_scheduler.StepLR(opt, step_size=20, gamma=0.5)
losses = []
for step in range(50):
    def closure():
        opt.zero_grad()
        loss = F.binary_cross_entropy_with_logits(model(x), y)
        loss.backward()
        return loss
    losses.append(opt.step(closure).item())
    sched.step()
sd = opt.state_dict()
"""


def test_python_subclassed_optimizer_matches_torch():
    t, n = both(PY_OPT)
    close(n["losses"], t["losses"], rtol=2e-5, atol=1e-6)
    for tp, np_ in zip(t["model"].parameters(), n["model"].parameters()):
        close(np_, tp, rtol=1e-4, atol=1e-5)
    assert n["opt"].param_groups[0]["lr"] == t["opt"].param_groups[0]["lr"] == 0.025
    assert sorted(n["sd"]["state"]) == sorted(t["sd"]["state"]) == [0, 1, 2, 3]
    assert n["sd"]["param_groups"] == t["sd"]["param_groups"]


def test_zero_grad_modes():
    w = nn.Parameter(nabla.ones(3))
    opt = optim.SGD([w], lr=0.1)
    (w * 2).sum().backward()
    opt.zero_grad(set_to_none=False)
    close(w.grad, torch.zeros(3))
    opt.zero_grad(set_to_none=True)
    assert w.grad is None
    opt.step()  # no gradient: nothing moves
    close(w, torch.ones(3))


def test_errors_like_torch():
    w = nn.Parameter(nabla.ones(2))
    for ctor, kw, message in [
        (optim.SGD, dict(lr=-1), "Invalid learning rate: -1"),
        (optim.SGD, dict(lr=0.1, momentum=-0.5), "Invalid momentum value: -0.5"),
        (optim.SGD, dict(lr=0.1, nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
        (optim.Adam, dict(betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
        (optim.AdamW, dict(eps=-1e-3), "Invalid epsilon value: -0.001"),
        (optim.RMSprop, dict(alpha=-1), "Invalid alpha value: -1"),
        (optim.Adagrad, dict(lr_decay=-1), "Invalid lr_decay value: -1"),
    ]:
        with pytest.raises(ValueError) as e:
            ctor([w], **kw)
        assert str(e.value) == message
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        optim.Adam([])
    with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
        optim.Adam(w)
    with pytest.raises(ValueError, match="non-leaf"):
        optim.Adam([w * 2])
    with pytest.raises(ValueError, match="required optimization parameter lr"):
        optim.SGD([w])
    opt = optim.Adam([w])
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [w]})
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt.load_state_dict({"state": {}, "param_groups": []})


def test_clip_grad_norm_matches_torch():
    torch.manual_seed(0)
    tp = [torch.randn(3, 2, dtype=torch.float64, requires_grad=True), torch.randn(4, dtype=torch.float64,
                                                                                    requires_grad=True)]
    npar = [to_nabla(p, requires_grad=True) for p in tp]
    for p, q in zip(tp, npar):
        (p ** 3).sum().backward()
        (q ** 3).sum().backward()
    tn = torch.nn.utils.clip_grad_norm_(tp, 1.0)
    nn_ = nn.utils.clip_grad_norm_(npar, 1.0)
    close(nn_, tn, rtol=1e-12)
    for p, q in zip(tp, npar):
        close(q.grad, p.grad, rtol=1e-12)


def test_group_edits_are_validated_and_reach_the_cpp_update():
    w = nn.Parameter(nabla.ones(2))
    opt = optim.SGD([w], lr=0.1)
    with pytest.raises(ValueError, match="lr"):
        opt.param_groups[0]["lr"] = -1.0
    assert opt.param_groups[0]["lr"] == 0.1  # unchanged
    opt.param_groups[0].update(lr=0.5, momentum=0.0)
    (w * w).sum().backward()
    opt.step()
    close(w, torch.zeros(2))  # 1 - 0.5 * 2


def test_python_subclassed_optimizer_state_dict_round_trip():
    t, n = both(PY_OPT + """
sd = opt.state_dict()
model2 = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
model2.load_state_dict(model.state_dict())
opt2 = HandSGD(model2.parameters(), lr=1.0, momentum=0.9)
opt2.load_state_dict(sd)
for m, o in ((model, opt), (model2, opt2)):
    o.zero_grad()
    F.binary_cross_entropy_with_logits(m(x), y).backward()
    o.step()
lr2 = opt2.param_groups[0]["lr"]
same = all(bool((a == b).all()) for a, b in zip(model.parameters(), model2.parameters()))
""")
    assert n["lr2"] == t["lr2"] == 0.025
    assert n["same"] and t["same"]
