"""nabla.nn against torch.nn: Python-subclassed modules (registration, names, state_dict,
printing, modes), the built-in layers' initial values, outputs and gradients, and errors."""
import math
from collections import OrderedDict

import numpy as np
import pytest
import torch

import nabla
from nabla import nn
from nn_oracle import both, close, to_nabla

NET = """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(3, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.25),
                                    nn.Linear(8, 6), nn.GroupNorm(2, 6), nn.Tanh())
        self.norm = nn.LayerNorm(6)
        self.heads = nn.ModuleList([nn.Linear(6, 2), nn.Linear(6, 1, bias=False)])
        self.scale = nn.Parameter(th.ones(1))
        self.register_buffer("counter", th.zeros(2))
        self.act = nn.LeakyReLU(0.2)

    def forward(self, x):
        h = self.norm(self.layers(x))
        return self.act(self.heads[0](h)) * self.scale + self.heads[1](h)

th.manual_seed(0)
net = Net()
"""


def test_subclassed_module_registers_like_torch():
    t, n = both(NET)
    tnet, nnet = t["net"], n["net"]
    assert [k for k, _ in nnet.named_parameters()] == [k for k, _ in tnet.named_parameters()]
    assert [k for k, _ in nnet.named_buffers()] == [k for k, _ in tnet.named_buffers()]
    assert [k for k, _ in nnet.named_modules()] == [k for k, _ in tnet.named_modules()]
    assert [k for k, _ in nnet.named_children()] == [k for k, _ in tnet.named_children()]
    assert len(list(nnet.children())) == len(list(tnet.children()))
    assert len(list(nnet.modules())) == len(list(tnet.modules()))
    assert all(isinstance(p, nn.Parameter) and isinstance(p, nabla.Tensor) for p in nnet.parameters())
    assert all(p.requires_grad and p.is_leaf for p in nnet.parameters())


def test_get_parameter_and_get_buffer_match_torch():
    t, n = both(NET)
    tnet, nnet = t["net"], n["net"]
    for name in ["scale", "layers.0.weight", "heads.1.weight"]:
        close(nnet.get_parameter(name), tnet.get_parameter(name))
    for name in ["counter", "layers.1.running_var"]:
        close(nnet.get_buffer(name), tnet.get_buffer(name))
    for get, name in [("get_parameter", "layers.1.running_var"), ("get_buffer", "scale"),
                      ("get_parameter", "norm.nothing")]:
        for net in (tnet, nnet):
            with pytest.raises(AttributeError):
                getattr(net, get)(name)
    with pytest.raises(AttributeError, match="no buffer `scale`"):
        nnet.get_buffer("scale")


def test_state_dict_names_order_and_values_match_torch():
    t, n = both(NET)
    ts, ns = t["net"].state_dict(), n["net"].state_dict()
    assert isinstance(ns, OrderedDict)
    assert list(ns.keys()) == list(ts.keys())
    assert "layers.1.running_mean" in ns and "layers.1.num_batches_tracked" in ns
    for k in ts:
        close(ns[k], ts[k])  # the same seed gives the same initial values, bit for bit
        assert not ns[k].requires_grad
    assert ns["layers.1.num_batches_tracked"].dtype == nabla.int64


def test_repr_matches_torch():
    t, n = both(NET)
    assert repr(n["net"]) == repr(t["net"])
    t, n = both("m = nn.Sequential(nn.ELU(), nn.SELU(), nn.GELU(), nn.GELU(approximate='tanh'), nn.SiLU(), "
                "nn.Sigmoid(), nn.Softplus(), nn.Softmax(dim=1), nn.LogSoftmax(dim=1), nn.Flatten(), nn.Identity(), "
                "nn.MSELoss(), nn.L1Loss(), nn.BCELoss(), nn.BCEWithLogitsLoss(), nn.CrossEntropyLoss(), "
                "nn.NLLLoss(), nn.BatchNorm1d(4, momentum=None, affine=False), nn.LayerNorm([2, 3], eps=1e-3), "
                "nn.GroupNorm(1, 4, affine=False), nn.Dropout(p=0.1), nn.ReLU(inplace=True))")
    assert repr(n["m"]) == repr(t["m"])


def test_forward_backward_match_torch():
    src = NET + """
net.train()
th.manual_seed(1)
x = th.randn(5, 3, dtype=th.float32)
y = net(x)
y.sum().backward()
"""
    t, n = both(src)
    close(n["x"], t["x"])
    close(n["y"], t["y"], rtol=1e-5, atol=1e-6)
    for (name, tp), (_, np_) in zip(t["net"].named_parameters(), n["net"].named_parameters()):
        close(np_.grad, tp.grad, rtol=1e-4, atol=1e-6)
    ts, ns = t["net"].state_dict(), n["net"].state_dict()
    for k in ("layers.1.running_mean", "layers.1.running_var", "layers.1.num_batches_tracked"):
        close(ns[k], ts[k], rtol=1e-6, atol=1e-7)


def test_train_eval_propagate_and_change_outputs():
    t, n = both(NET + """
net.eval()
modes = [m.training for m in net.modules()]
x = th.randn(4, 3)
a = net(x); b = net(x)
net.train()
modes_after = [m.training for m in net.modules()]
""")
    assert n["modes"] == t["modes"] == [False] * len(t["modes"])
    assert n["modes_after"] == [True] * len(t["modes"])
    close(n["a"], n["b"])  # eval: dropout off, running statistics: deterministic
    close(n["a"], t["a"], rtol=1e-5, atol=1e-6)


def test_load_state_dict_from_torch_values():
    t, n = both(NET)
    src = {k: to_nabla(v) for k, v in t["net"].state_dict().items()}
    nabla.manual_seed(123)
    other = n["Net"]()
    result = other.load_state_dict(src)
    assert result.missing_keys == [] and result.unexpected_keys == []
    for k, v in other.state_dict().items():
        close(v, t["net"].state_dict()[k])


def test_load_state_dict_errors_like_torch():
    t, n = both(NET + """
sd = net.state_dict()
del sd["heads.0.bias"]
sd["extra.weight"] = th.zeros(1)
sd["norm.weight"] = th.zeros(7)
try:
    net.load_state_dict(sd)
except RuntimeError as e:
    message = str(e)
result = net.load_state_dict({k: v for k, v in sd.items() if k != "norm.weight"}, strict=False)
""")
    def plain(msg):
        return msg.replace("torch.Size", "Size").replace("nabla.Size", "Size")

    assert plain(n["message"]) == plain(t["message"])
    assert n["message"].startswith("Error(s) in loading state_dict for Net:")
    assert n["result"].missing_keys == t["result"].missing_keys == ["norm.weight", "heads.0.bias"]
    assert n["result"].unexpected_keys == t["result"].unexpected_keys == ["extra.weight"]


def test_linear_initial_values_are_torchs():
    for dtype in ("float32", "float64"):
        torch.manual_seed(7)
        tl = torch.nn.Linear(5, 4, dtype=getattr(torch, dtype))
        nabla.manual_seed(7)
        nl = nn.Linear(5, 4, dtype=getattr(nabla, dtype))
        close(nl.weight, tl.weight)
        close(nl.bias, tl.bias)
        assert nl.weight.dtype == getattr(nabla, dtype)
    assert nn.Linear(2, 3, bias=False).bias is None


def test_linear_errors():
    lin = nn.Linear(3, 2)
    with pytest.raises(ValueError) as e:
        lin(nabla.zeros(4, 5))
    assert isinstance(e.value, nabla.ShapeError)
    assert "3" in str(e.value) and "5" in str(e.value)
    with pytest.raises(ValueError):
        nn.Linear(-1, 2)


def test_parameter():
    p = nn.Parameter(nabla.zeros(2, 3))
    assert isinstance(p, nabla.Tensor) and isinstance(p, nn.parameter.Parameter)
    assert p.requires_grad and p.is_leaf and p.grad is None
    assert repr(p).startswith("Parameter containing:\ntensor(")
    q = nn.Parameter(nabla.ones(2), requires_grad=False)
    assert not q.requires_grad
    base = nabla.zeros(3)
    shared = nn.Parameter(base)
    with nabla.no_grad():
        shared.add_(1.0)
    close(base, np.ones(3, dtype=np.float32))  # shares memory, as torch's


def test_module_registration_rules():
    m = nn.Module()
    m.w = nn.Parameter(nabla.zeros(2))
    m.sub = nn.Linear(2, 2)
    m.register_buffer("buf", nabla.zeros(2))
    m.register_buffer("tmp", nabla.zeros(1), persistent=False)
    m.plain = 3
    assert list(m._parameters) == ["w"] and list(m._modules) == ["sub"] and list(m._buffers) == ["buf", "tmp"]
    assert "tmp" not in m.state_dict() and "buf" in m.state_dict()
    with pytest.raises(TypeError):
        m.w = nabla.zeros(2)  # a plain tensor cannot replace a parameter
    m.w = None
    assert "w" not in dict(m.named_parameters())
    with pytest.raises(KeyError):
        m.register_buffer("a.b", nabla.zeros(1))
    del m.sub
    assert list(m._modules) == []
    with pytest.raises(AttributeError):
        m.missing  # noqa: B018

    class NoInit(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match="before Module.__init__"):
        NoInit()


def test_shared_parameters_listed_once_like_torch():
    t, n = both("""
lin = nn.Linear(2, 2)
m = nn.Sequential(lin, nn.ReLU(), lin)
names = [k for k, _ in m.named_parameters()]
sd = list(m.state_dict().keys())
""")
    assert n["names"] == t["names"] == ["0.weight", "0.bias"]
    assert n["sd"] == t["sd"]


def test_zero_grad_apply_requires_grad_to():
    nabla.manual_seed(0)
    m = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    m(nabla.randn(4, 2)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad(set_to_none=True)
    assert all(p.grad is None for p in m.parameters())
    seen = []
    m.apply(lambda mod: seen.append(type(mod).__name__))
    assert seen == ["Linear", "ReLU", "Linear", "Sequential"]
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())
    w = m[0].weight
    assert m.to(nabla.float64) is m and m[0].weight is w and w.dtype == nabla.float64
    assert m.to("cpu") is m
    with pytest.raises(Exception, match="(?i)cpu"):
        m.to("cuda")


def test_sequential_and_modulelist_containers():
    t, n = both("""
s = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
s.append(nn.Linear(3, 1))
items = (len(s), type(s[0]).__name__, type(s[-1]).__name__, type(s[1:]).__name__, len(s[1:]))
keys = list(s.state_dict().keys())
ml = nn.ModuleList([nn.Linear(1, 1)])
ml.append(nn.Tanh()); ml.extend([nn.ReLU()])
ml_items = (len(ml), [type(m).__name__ for m in ml], list(ml.state_dict().keys()))
od = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.ReLU())]))
od_keys = list(od.state_dict().keys())
del s[0]; del od[0]; del ml[0:2]; ml.insert(0, nn.Sigmoid())
after_del = ([k for k, _ in s.named_children()], [type(m).__name__ for m in s],
             [k for k, _ in od.named_children()], [(k, type(m).__name__) for k, m in ml.named_children()])
""", OrderedDict=OrderedDict)
    for k in ("items", "keys", "ml_items", "od_keys", "after_del"):
        assert n[k] == t[k], k
    with pytest.raises(IndexError):
        n["s"][5]


ACTIVATIONS = [
    ("ReLU()", None), ("LeakyReLU(0.1)", None), ("ELU(0.5)", None), ("SELU()", None), ("GELU()", None),
    ("GELU(approximate='tanh')", None), ("SiLU()", None), ("Sigmoid()", None), ("Tanh()", None),
    ("Softplus(beta=2, threshold=3)", None), ("Softmax(dim=1)", None), ("LogSoftmax(dim=1)", None),
    ("Softmax(dim=0)", None), ("Flatten()", None), ("Identity()", None),
]


@pytest.mark.parametrize("layer", [a for a, _ in ACTIVATIONS])
def test_activation_modules_match_torch(layer):
    torch.manual_seed(3)
    x = torch.randn(4, 5, dtype=torch.float64, requires_grad=True)
    w = torch.randn(4, 5, dtype=torch.float64)
    ty = eval("torch.nn." + layer)(x)
    (ty * w).sum().backward()
    nx = to_nabla(x, requires_grad=True)
    ny = eval("nn." + layer)(nx)
    (ny * to_nabla(w)).sum().backward()
    close(ny, ty, rtol=1e-12, atol=1e-15)
    close(nx.grad, x.grad, rtol=1e-12, atol=1e-15)


def test_flatten_shapes():
    x = nabla.zeros(2, 3, 4, 5)
    assert tuple(nn.Flatten()(x).shape) == (2, 60)
    assert tuple(nn.Flatten(0, 2)(x).shape) == (24, 5)
    assert tuple(nn.Flatten(-2)(x).shape) == (2, 3, 20)


def test_dropout_masks_match_torch():
    torch.manual_seed(5)
    tx = torch.ones(6, 7)
    ty = torch.nn.Dropout(0.3)(tx)
    nabla.manual_seed(5)
    ny = nn.Dropout(0.3)(nabla.ones(6, 7))
    close(ny, ty)
    d = nn.Dropout(0.3)
    d.eval()
    close(d(nabla.ones(3)), np.ones(3, dtype=np.float32))
    with pytest.raises(ValueError):
        nn.Dropout(1.5)


@pytest.mark.parametrize("momentum", [0.1, None])
def test_batchnorm_train_then_eval_like_torch(momentum):
    torch.manual_seed(2)
    tb = torch.nn.BatchNorm1d(4, momentum=momentum, dtype=torch.float64)
    nb = nn.BatchNorm1d(4, momentum=momentum, dtype=nabla.float64)
    with torch.no_grad():
        tb.weight.uniform_(0.5, 1.5)
        tb.bias.uniform_(-0.5, 0.5)
    nb.load_state_dict({k: to_nabla(v) for k, v in tb.state_dict().items()})
    for shape in ((8, 4), (8, 4, 3), (5, 4)):
        x = torch.randn(*shape, dtype=torch.float64, requires_grad=True)
        ty = tb(x)
        nx = to_nabla(x, requires_grad=True)
        ny = nb(nx)
        close(ny, ty, rtol=1e-12, atol=1e-14)
        (ty ** 2).sum().backward()
        (ny ** 2).sum().backward()
        close(nx.grad, x.grad, rtol=1e-10, atol=1e-12)
    for k, v in tb.state_dict().items():
        close(nb.state_dict()[k], v, rtol=1e-12)
    tb.eval(), nb.eval()
    x = torch.randn(3, 4, dtype=torch.float64)
    close(nb(to_nabla(x)), tb(x), rtol=1e-12, atol=1e-14)
    with pytest.raises(ValueError, match="expected 2D or 3D input"):
        nb(nabla.zeros(2, 4, 1, 1, dtype=nabla.float64))


def test_layernorm_groupnorm_match_torch():
    torch.manual_seed(4)
    for tmod, nmod, shape in ((torch.nn.LayerNorm((3, 5), dtype=torch.float64),
                               nn.LayerNorm((3, 5), dtype=nabla.float64), (2, 3, 5)),
                              (torch.nn.GroupNorm(3, 6, dtype=torch.float64),
                               nn.GroupNorm(3, 6, dtype=nabla.float64), (4, 6, 2))):
        with torch.no_grad():
            tmod.weight.normal_()
            tmod.bias.normal_()
        nmod.load_state_dict({k: to_nabla(v) for k, v in tmod.state_dict().items()})
        x = torch.randn(*shape, dtype=torch.float64, requires_grad=True)
        ty = tmod(x)
        (ty * ty.detach()).sum().backward()
        nx = to_nabla(x, requires_grad=True)
        ny = nmod(nx)
        (ny * ny.detach()).sum().backward()
        close(ny, ty, rtol=1e-12, atol=1e-14)
        close(nx.grad, x.grad, rtol=1e-10, atol=1e-12)
        close(nmod.weight.grad, tmod.weight.grad, rtol=1e-10, atol=1e-12)
        close(nmod.bias.grad, tmod.bias.grad, rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError):
        nn.GroupNorm(4, 6)


INIT_CALLS = [
    "uniform_(w, -0.3, 0.7)", "normal_(w, 0.5, 2.0)", "constant_(w, 0.25)", "zeros_(w)", "ones_(w)",
    "xavier_uniform_(w)", "xavier_uniform_(w, gain=2.0)", "xavier_normal_(w, gain=0.5)",
    "kaiming_uniform_(w, a=math.sqrt(5))", "kaiming_uniform_(w, mode='fan_out', nonlinearity='relu')",
    "kaiming_normal_(w)", "kaiming_normal_(w, a=0.1, mode='fan_out')",
]


@pytest.mark.parametrize("call", INIT_CALLS)
def test_init_matches_torch(call):
    torch.manual_seed(11)
    w = torch.empty(6, 5)
    eval("torch.nn.init." + call, {"torch": torch, "w": w, "math": math})
    nabla.manual_seed(11)
    nw = nabla.empty(6, 5)
    out = eval("nn.init." + call, {"nn": nn, "w": nw, "math": math})
    assert out is nw
    close(nw, w)


def test_init_gain():
    for nl, param in (("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None), ("leaky_relu", None),
                      ("leaky_relu", 0.2), ("selu", None)):
        assert nn.init.calculate_gain(nl, param) == pytest.approx(torch.nn.init.calculate_gain(nl, param), rel=1e-15)
    with pytest.raises(ValueError):
        nn.init.calculate_gain("nope")


def test_notebook_idioms(tmp_path):
    """What course notebooks do with a model: init by apply, count parameters, snapshot the best
    weights (deepcopy), save and load a state_dict."""
    import copy

    t, n = both("""
def init(m):
    if isinstance(m, nn.Linear):
        nn.init.xavier_uniform_(m.weight)
        m.bias.data.fill_(0.01)

th.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2))
model.apply(init)
count = sum(p.numel() for p in model.parameters() if p.requires_grad)
shapes = [(name, tuple(p.shape)) for name, p in model.named_parameters()]
""")
    assert n["count"] == t["count"] == 4 * 8 + 8 + 8 + 8 + 8 * 2 + 2
    assert n["shapes"] == t["shapes"]
    for k, v in t["model"].state_dict().items():
        close(n["model"].state_dict()[k], v)
    model = n["model"]
    best = copy.deepcopy(model.state_dict())
    clone = copy.deepcopy(model)
    assert clone[0].weight is not model[0].weight and isinstance(clone[0].weight, nn.Parameter)
    with nabla.no_grad():
        model[0].weight.add_(1.0)
    close(best["0.weight"] + 1.0, model[0].weight)  # the snapshot did not move
    path = str(tmp_path / "model.pt")
    nabla.save(model.state_dict(), path)
    clone.load_state_dict(nabla.load(path))
    close(clone[0].weight, model[0].weight)


@pytest.mark.parametrize("owner", ["module", "optimizer"])
def test_zero_grad_defaults_and_storage_match_torch(owner):
    # torch 1.13: zero_grad() keeps each .grad (the same storage, detached, zeros); set_to_none=True drops it.
    def run(t):
        t.manual_seed(0)
        m = t.nn.Linear(3, 2)
        opt = t.optim.SGD(m.parameters(), lr=0.1)
        zero = m.zero_grad if owner == "module" else opt.zero_grad
        out = []
        for kwargs in ({}, {"set_to_none": False}, {"set_to_none": True}):
            m(t.ones(4, 3)).sum().backward()
            ptr = m.weight.grad.data_ptr()
            zero(**kwargs)
            g = m.weight.grad
            out.append(None if g is None else (g.data_ptr() == ptr, g.requires_grad, g.abs().sum().item()))
        return out

    assert run(nabla) == run(torch)
