"""nabla.nn — torch.nn's layers, containers and losses for nabla.

Modules are Python classes (subclass ``nn.Module`` as in torch); their numbers come from nabla's
C++ (initial values, forward, backward), equal to torch's after the same manual_seed.

    from nabla import nn
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1))
    loss = nn.BCEWithLogitsLoss()(model(x), y)
"""
from .parameter import Parameter
from .modules import *  # noqa: F401,F403
from . import functional, init, parameter, utils  # noqa: F401
from . import parallel  # noqa: F401,E402
