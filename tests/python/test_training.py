"""Whole training loops written once and run with th = torch and th = nabla (the one-import
switch): the course's notebook loop and the dense-configs model shapes, compared epoch by epoch;
and a step of nn + optim captured by nabla.compile, replayed bit for bit like the eager one."""
import pytest

import nabla
from nabla import nn, optim
from nn_oracle import both, close

NOTEBOOK = """
th.manual_seed(0)
N = 200
X = th.randn(N, 2)
Y = ((X[:, 0] ** 2 + X[:, 1] ** 2) < 1.0).float().unsqueeze(1)      # a disc: not linearly separable
loader = data.DataLoader(data.TensorDataset(X, Y), batch_size=32, shuffle=True)
model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1), nn.Sigmoid())
criterion = nn.BCELoss()
optimizer = OPT(model.parameters(), **KW)
history = []
for epoch in range(EPOCHS):
    model.train()
    total = 0.0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * xb.shape[0]
    history.append(total / N)
model.eval()
with th.no_grad():
    accuracy = ((model(X) > 0.5).float() == Y).float().mean().item()
"""


@pytest.mark.parametrize("opt,kw", [("SGD", dict(lr=0.5, momentum=0.9)), ("Adam", dict(lr=0.01))])
def test_course_notebook_loop_matches_torch(opt, kw):
    t, n = both(NOTEBOOK.replace("OPT(", f"optim.{opt}("), KW=kw, EPOCHS=15)
    close(n["history"], t["history"], rtol=1e-4, atol=1e-6)
    assert n["history"][-1] < n["history"][0]
    assert abs(n["accuracy"] - t["accuracy"]) <= 1.0 / 200 + 1e-9


DENSE = """
class Dense(nn.Module):
    def __init__(self, d_in, hidden, d_out, norm, p):
        super().__init__()
        layers = []
        for h in hidden:
            layers += [nn.Linear(d_in, h), norm(h), nn.GELU(), nn.Dropout(p)]
            d_in = h
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(d_in, d_out)

    def forward(self, x):
        return self.head(self.body(x))

th.manual_seed(1)
X = th.randn(96, 5, dtype=DTYPE)
labels = (X[:, 0] + X[:, 1] * X[:, 2] > 0).long() + (X[:, 3] > 0.5).long()
norm = nn.BatchNorm1d if NORM == "batch" else (lambda h: nn.GroupNorm(4, h))
model = Dense(5, [32, 16], 3, norm, 0.1).to(DTYPE)
opt = optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)
sched = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=EPOCHS)
loader = data.DataLoader(data.TensorDataset(X, labels), batch_size=16, shuffle=True, drop_last=True)
loss_fn = nn.CrossEntropyLoss(label_smoothing=0.05)
history = []
for epoch in range(EPOCHS):
    model.train()
    losses = []
    for xb, yb in loader:
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    sched.step()
    history.append(sum(losses) / len(losses))
model.eval()
with th.no_grad():
    eval_logits = model(X)
state = model.state_dict()
"""


@pytest.mark.parametrize("norm", ["batch", "group"])
def test_dense_configs_model_matches_torch(norm):
    # float64: everything (losses, final weights, running statistics, eval outputs) to ~1e-10.
    t, n = both(DENSE.replace("DTYPE", "th.float64"), NORM=norm, EPOCHS=6)
    close(n["history"], t["history"], rtol=1e-12)
    close(n["eval_logits"], t["eval_logits"], rtol=1e-9, atol=1e-10)
    assert list(n["state"]) == list(t["state"])
    for k in t["state"]:
        close(n["state"][k], t["state"][k], rtol=1e-9, atol=1e-10)
    if norm == "batch":
        assert n["state"]["body.1.num_batches_tracked"].item() == 36


@pytest.mark.parametrize("norm", ["batch", "group"])
def test_dense_configs_model_float32_losses_match_torch(norm):
    # float32: the losses agree to rounding. (Not every weight does: the bias of a Linear that
    # feeds a BatchNorm has a gradient of pure rounding noise, which AdamW scales up to full
    # steps, in torch as in nabla; the losses do not depend on it.)
    t, n = both(DENSE.replace("DTYPE", "th.float32"), NORM=norm, EPOCHS=6)
    close(n["history"], t["history"], rtol=1e-5, atol=1e-7)


def test_compiled_step_of_nn_and_optim_replays_the_eager_numbers():
    if not hasattr(nabla, "compile"):
        pytest.fail("nabla.compile is missing")

    def make():
        nabla.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 8), nn.LayerNorm(8), nn.Tanh(), nn.Linear(8, 1))
        opt = optim.Adam(model.parameters(), lr=1e-2)
        return model, opt

    nabla.manual_seed(5)
    x, y = nabla.randn(16, 4), nabla.randn(16, 1)
    eager_model, eager_opt = make()
    calls = []

    def step(model, opt, xb, yb):
        calls.append(1)
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(xb), yb)
        loss.backward()
        opt.step()
        return loss

    eager = [step(eager_model, eager_opt, x, y).item() for _ in range(10)]
    model, opt = make()
    sched = optim.lr_scheduler.StepLR(opt, step_size=100)  # sets initial_lr; the lr stays
    compiled = nabla.compile(lambda xb, yb: step(model, opt, xb, yb))
    calls.clear()
    replayed = [compiled(x, y).item() for _ in range(10)]
    assert replayed == eager
    assert len(calls) < 10  # later calls replay without entering Python
    for a, b in zip(model.parameters(), eager_model.parameters()):
        close(a, b)
    # A scheduler's new lr reaches the replayed C++ update.
    opt.param_groups[0]["lr"] = 0.0
    before = [p.detach().clone() for p in model.parameters()]
    compiled(x, y)
    for a, b in zip(model.parameters(), before):
        close(a, b)
    del sched
