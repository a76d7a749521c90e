"""`nabla train` in a notebook: trains the network a TOML configuration describes (the same file
and keys as `nabla train CONFIG.toml`, see the README), one epoch at a time in the C++ trainer, with
a live loss plot where a terminal would show a progress bar; returns the history as records.

    h = nabla.train("examples/xor.toml", epochs=2000, set={"optim.lr": 0.5})
    h[-1]["train_loss"];  import pandas as pd; pd.DataFrame(h)    # one dict per epoch
    h.plot()                                                      # the loss curves, inline

Ctrl-C (Jupyter's interrupt) stops training after the current epoch with KeyboardInterrupt; the
history so far is lost with the exception, so pass on_epoch to keep records as they come.
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


def train(config, overrides=None, epochs=None, on_epoch=None, set=None, live=True, every=0.5):
    """Trains the network of `config` (a path to a TOML file, or TOML text) as `nabla train` does,
    with `overrides` (["optim.lr=0.1"], as `nabla train --set`) or `set` ({"optim.lr": 0.1});
    `epochs` overrides train.epochs; on_epoch(record) is called after every epoch. In Jupyter, with
    `live`, a loss plot is redrawn at most every `every` seconds. Returns a History."""
    config = os.fspath(config) if isinstance(config, os.PathLike) else config
    overrides = list(overrides or []) + [f"{k}={_toml(v)}" for k, v in (set or {}).items()]
    history = History()
    show = live and _in_notebook()
    state = {"handle": None, "shown": 0.0}

    def epoch_done(record):
        history.append(record)
        if on_epoch is not None:
            on_epoch(record)
        now = time.monotonic()
        if show and now - state["shown"] >= every:
            _draw(history, state)
            state["shown"] = now

    _C.train(config, overrides, epochs, epoch_done)
    if show and history:
        _draw(history, state)  # the last epoch's curve, whatever the throttle skipped
    return history


def _draw(history, state):
    from IPython.display import Image, display
    image = Image(data=history.plot().png(), format="png")
    if state["handle"] is None:
        state["handle"] = display(image, display_id=True)
    else:
        state["handle"].update(image)


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
