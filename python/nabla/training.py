"""`nabla train` in a notebook: trains the network a TOML configuration describes (the same file
and keys as `nabla train CONFIG.toml`, see the README), one epoch at a time in the C++ trainer, with
a live loss plot where a terminal would show a progress bar; returns the history as records.

    h = nabla.train("examples/xor.toml", set={"train.epochs": 2000})
    h[-1]["train_loss"];  import pandas as pd; pd.DataFrame(h)    # one dict per epoch
    h.plot()                                                      # the loss curves, inline

Ctrl-C (Jupyter's interrupt) stops training after the current epoch with KeyboardInterrupt.
"""
import os
import time

from . import _C
from .notebook import _in_notebook
from .viz import line_plot

__all__ = ["train", "History"]


class History(list):
    """One dict per epoch (epoch, train_loss, test_loss, train_acc/test_acc for classification,
    lr, grad_norms): a list of records, as pandas.DataFrame takes it. Jupyter shows its loss plot."""

    def plot(self, log_y=None):
        epochs = [r["epoch"] for r in self]
        train = [r["train_loss"] for r in self]
        test = [r["test_loss"] for r in self]
        if log_y is None:
            positive = [v for v in train + test if v > 0]
            log_y = bool(positive) and len(positive) == len(train + test) and max(positive) > 100 * min(positive)
        return line_plot({"train": (epochs, train), "test": (epochs, test)}, title="loss", xlabel="epoch",
                         log_y=log_y)

    def _repr_png_(self):
        return self.plot().png() if self else None


def train(config, set=None, epochs=None, live=True, every=0.5):
    """Trains the network of `config` (a path to a TOML file, or TOML text) with `set`'s overrides
    ({"optim.lr": 0.1} or ["optim.lr=0.1"], as `nabla train --set`); `epochs` overrides
    train.epochs. In Jupyter, with `live`, a loss plot is redrawn at most every `every` seconds."""
    if isinstance(config, os.PathLike) or (isinstance(config, str) and "\n" not in config and
                                           config.endswith(".toml")):
        path = os.fspath(config)
        with open(path) as f:
            text, source = f.read(), path
    else:
        text, source = str(config), "<config>"
    overrides = list(set) if isinstance(set, (list, tuple)) else [f"{k}={_toml(v)}" for k, v in (set or {}).items()]
    if epochs is not None:
        overrides.append(f"train.epochs={int(epochs)}")
    trainer = _C._Trainer(text, source, overrides)
    history = History()
    handle = None
    shown = 0.0
    show = live and _in_notebook()
    if show:
        from IPython.display import display
    for _ in range(trainer.epochs):
        history.append(trainer.run_epoch())
        now = time.monotonic()
        if show and (now - shown >= every or len(history) == trainer.epochs):
            from IPython.display import Image
            image = Image(data=history.plot().png(), format="png")
            if handle is None:
                handle = display(image, display_id=True)
            else:
                handle.update(image)
            shown = now
    history.parameters = dict(trainer.named_parameters())
    return history


def _toml(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    raise TypeError(f"nabla.train: set values are numbers, strings, booleans or lists, got {type(value).__name__}")
