"""What notebooks get beyond PyTorch: nabla.trace / nabla.demo / nabla.explore (the nabla command's
explanations, returned as Python data and shown as HTML with their pictures), nabla.train with its
history records, and nabla.viz figures as PNG/SVG."""
import json
import math
import os
import struct

import pytest

import nabla
from nabla import notebook

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_trace_returns_the_chain_rule_numbers(capsys):
    t = nabla.trace("x*tanh(w*x)", x=0.5, w=-2.0)
    x, w = 0.5, -2.0
    th = math.tanh(w * x)
    assert t["value"] == pytest.approx(x * th, rel=1e-15)
    assert t["grad"]["x"] == pytest.approx(th + x * (1 - th * th) * w, rel=1e-14)
    assert t["grad"]["w"] == pytest.approx(x * (1 - th * th) * x, rel=1e-14)
    assert [n["id"] for n in t["nodes"] if n["op"] != "leaf"] == ["a1", "t1", "f"]
    out = capsys.readouterr().out  # outside Jupyter: the text of the trace, printed
    assert "Backward pass" in out and "∂f/∂w" in out and "/tmp" not in out


def test_trace_second_order_and_spanish(capsys):
    t = nabla.trace("x^3*y", order=2, lang="es", x=2, y=3)
    # f = x³y: f_xx = 6xy, f_xy = 3x², f_yy = 0
    assert t["hessian"] == {"x": {"x": 36.0, "y": 12.0}, "y": {"x": 12.0, "y": 0.0}}
    assert "Paso hacia atrás" in capsys.readouterr().out


def test_trace_errors_are_python_exceptions():
    with pytest.raises(ValueError, match="column 3"):
        nabla.trace("x^", x=1, show=False)
    with pytest.raises(ValueError):
        nabla.trace("x", order=3, x=1, show=False)


def test_report_html_embeds_every_picture():
    png = nabla.viz.line_plot([1, 2, 3]).png()
    r = notebook.Report("text & more", {"a.png": png, "g.svg": b"<?xml?><svg width='1'></svg>"}, {"a.png": "A"})
    html = r._repr_html_()
    assert "text &amp; more" in html and "data:image/png;base64," in html and "<svg" in html
    assert "<figcaption>A</figcaption>" in html


def test_explore_returns_the_critical_points():
    e = nabla.explore("x^4 - 3*x^2 + x", from_=-2, to=2, show=False)
    xs = [p["x"] for p in e["critical_points"]]
    assert len(xs) == 3 and all(abs(4 * x ** 3 - 6 * x + 1) < 1e-9 for x in xs)
    with pytest.raises(TypeError, match="unknown option"):
        nabla.explore("x^2", bogus=1)


def test_demo_shows_text_and_pictures_and_returns_numbers(monkeypatch):
    shown = []
    monkeypatch.setattr(notebook.Report, "show", lambda self: shown.append(self))
    numbers = nabla.demo("neuron-step", lang="es")
    assert isinstance(numbers, dict) and numbers
    (report,) = shown
    assert report.pictures and all(png_size(v)[0] >= 300 for k, v in report.pictures.items() if k.endswith(".png"))
    assert "/tmp" not in report.text
    # The same numbers as the command's own --json.
    assert json.loads(notebook._run(["demo", "neuron-step", "--json"], None))["numbers"] == numbers
    with pytest.raises(ValueError):
        nabla.demo("no-such-demo", show=False)


def test_train_returns_history_records():
    h = nabla.train(os.path.join(ROOT, "examples", "xor.toml"), set={"train.epochs": 300})
    assert isinstance(h, nabla.training.History) and isinstance(h, list)
    assert len(h) == 300 and [r["epoch"] for r in h[:3]] == [1, 2, 3]
    assert h[-1]["train_loss"] < h[0]["train_loss"]
    assert set(h[0]) >= {"epoch", "train_loss", "test_loss", "lr", "grad_norms"}
    assert png_size(h._repr_png_()) == (640, 480)
    with pytest.raises(ValueError, match="optim.lr"):
        nabla.train(os.path.join(ROOT, "examples", "xor.toml"), set={"optim.lr": -1})


def test_viz_figures_render_and_save_atomically(tmp_path):
    fig = nabla.viz.line_plot({"train": [3, 2, 1], "test": ([1, 2, 3], [3, 2.5, 2])}, title="loss", log_y=True)
    assert png_size(fig._repr_png_()) == (640, 480)
    assert fig._repr_svg_().lstrip().startswith("<")
    fig.save(tmp_path / "loss.png")
    fig.save(tmp_path / "loss.svg")
    assert sorted(os.listdir(tmp_path)) == ["loss.png", "loss.svg"]
    with pytest.raises(ValueError):
        fig.save(tmp_path / "loss.jpg")
    with pytest.raises(ValueError):
        nabla.viz.line_plot([1, 2], width=10).png()
