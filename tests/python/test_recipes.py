"""The recipe tables from Python: every layer type, loss, optimizer and scheduler a training
config may name (nabla.recipes(), read from the same rows as `nabla train`) trains through
nabla.train, and every optimizer row is a nabla.optim class that steps."""
import math

import nabla
import nabla.optim

BASE = """seed = 1
[data]
name = "moons"
n = 32
[model]
inputs = 2
layers = [
  {{ type = "linear", out = 4, id = "h" }},
  {{ type = "{layer}"{extra} }},
  {{ type = "linear", out = 1 }},
  {{ type = "sigmoid" }},
]
[loss]
name = "bce"
[train]
batch_size = 8
"""


def config(layer="relu"):
    extra = {"groupnorm": ", groups = 2", "add": ', from = "h"', "linear": ", out = 4"}.get(layer, "")
    return BASE.format(layer=layer, extra=extra)


def test_every_layer_type_trains():
    for layer in nabla.recipes()["layers"]:
        history = nabla.train(config(layer), epochs=1)
        assert math.isfinite(history[0]["train_loss"]), layer


def test_every_optimizer_and_scheduler_trains():
    r = nabla.recipes()
    for name in r["optimizers"]:
        history = nabla.train(config(), overrides=[f"optim.name={name}"], epochs=2)
        assert math.isfinite(history[-1]["train_loss"]), name
    for name in r["schedulers"]:
        history = nabla.train(config(), overrides=[f"scheduler.name={name}"], epochs=2)
        assert math.isfinite(history[-1]["train_loss"]), name


def test_every_loss_is_accepted():
    for name in nabla.recipes()["losses"]:
        overrides = [f"loss.name={name}"]
        if name == "cross_entropy":  # k logits for k classes
            overrides += ["model.layers.2.out=2", "model.layers.3.type=identity"]
        if name == "bce_logits":
            overrides += ["model.layers.3.type=identity"]
        history = nabla.train(config(), overrides=overrides, epochs=1)
        assert math.isfinite(history[0]["train_loss"]), name


def test_every_optimizer_row_is_a_python_class():
    for name, cls in nabla.recipes()["optimizer_classes"].items():
        w = nabla.tensor([1.0, -2.0], requires_grad=True)
        opt = getattr(nabla.optim, cls)([w], lr=0.1)
        (w * w).sum().backward()
        opt.step()
        assert w.tolist() != [1.0, -2.0], name
