"""nabla.train(config): `nabla train` from Python, its per-epoch records against the same
training written in PyTorch, and Ctrl-C between epochs."""
import pathlib
import signal
import subprocess
import sys

import nabla
import torch

ROOT = pathlib.Path(__file__).resolve().parents[2]


def torch_xor_losses(epochs):
    """examples/xor.toml in PyTorch: 2-2-1 sigmoid, the file's weights, ½·Σ(y − ŷ)², SGD lr 0.5."""
    x = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=torch.float64)
    y = torch.tensor([[0.0], [1.0], [1.0], [0.0]], dtype=torch.float64)
    w1 = torch.tensor([[0.3745401188473625, 0.7319939418114051], [0.9507143064099162, 0.5986584841970366]],
                      dtype=torch.float64, requires_grad=True)
    b1 = torch.tensor([0.15601864044243652, 0.15599452033620265], dtype=torch.float64, requires_grad=True)
    w2 = torch.tensor([[0.05808361216819946, 0.8661761457749352]], dtype=torch.float64, requires_grad=True)
    b2 = torch.tensor([0.6011150117432088], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w1, b1, w2, b2], lr=0.5)
    losses = []
    for _ in range(epochs):
        opt.zero_grad()
        out = torch.sigmoid(torch.sigmoid(x @ w1.T + b1) @ w2.T + b2)
        loss = 0.5 * ((out - y) ** 2).sum()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def test_train_xor_like_torch():
    seen = []
    history = nabla.train(str(ROOT / "examples" / "xor.toml"), epochs=30, on_epoch=seen.append)
    assert len(history) == 30 and seen == history
    assert [h["epoch"] for h in history] == list(range(1, 31))
    expected = torch_xor_losses(30)
    for h, e in zip(history, expected):
        assert abs(h["train_loss"] - e) <= 1e-12 * max(1.0, abs(e)), (h["epoch"], h["train_loss"], e)
    assert set(history[0]) >= {"train_loss", "test_loss", "train_acc", "lr", "grad_norms"}


def test_train_from_text_and_overrides_and_errors():
    text = (ROOT / "examples" / "xor.toml").read_text()
    a = nabla.train(text, epochs=3)
    b = nabla.train(text, overrides=["optim.lr=0.25"], epochs=3)
    assert a[0]["train_loss"] == b[0]["train_loss"] and a[2]["train_loss"] != b[2]["train_loss"]
    import pytest
    with pytest.raises(nabla.ParseError):
        nabla.train("seed = 1\n[model\n")


def test_ctrl_c_stops_training():
    code = (
        "import sys, time; sys.path[:0] = %r\n"
        "import nabla\n"
        "def tick(r):\n"
        "    if r['epoch'] == 1: print('ready', flush=True)\n"
        "try:\n"
        "    nabla.train(%r, epochs=10**7, on_epoch=tick)\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted', flush=True)\n" % (sys.path, str(ROOT / "examples" / "xor.toml"))
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "interrupted" in out
