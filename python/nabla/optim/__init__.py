"""nabla.optim — torch.optim for nabla: SGD, Adam, AdamW, RMSprop, Adagrad (their updates run in
nabla's C++, reading each param group's hyper-parameters at every step), the Optimizer base to
subclass in Python, and lr_scheduler.

    opt = optim.Adam(model.parameters(), lr=1e-3)
    opt.zero_grad(); loss.backward(); opt.step()
"""
from .optimizer import Optimizer
from .sgd import SGD
from .adam import Adam, AdamW
from .rmsprop import RMSprop
from .adagrad import Adagrad
from . import lr_scheduler  # noqa: F401

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "lr_scheduler"]
