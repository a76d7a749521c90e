from .module import Module
from .container import ModuleDict, ModuleList, Sequential
from .linear import Identity, Linear
from .activation import ELU, GELU, LeakyReLU, LogSoftmax, ReLU, SELU, Sigmoid, SiLU, Softmax, Softplus, Step, Tanh
from .dropout import Dropout
from .flatten import Flatten
from .normalization import BatchNorm1d, GroupNorm, LayerNorm
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss

__all__ = ["Module", "ModuleDict", "ModuleList", "Sequential", "Identity", "Linear", "ELU", "GELU", "LeakyReLU", "LogSoftmax", "ReLU", "SELU", "Sigmoid", "SiLU", "Softmax", "Softplus", "Step", "Tanh", "Dropout", "Flatten", "BatchNorm1d", "GroupNorm", "LayerNorm", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "L1Loss", "MSELoss", "NLLLoss"]
