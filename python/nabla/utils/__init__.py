"""nabla.utils — as torch.utils: ``nabla.utils.data`` (Dataset, DataLoader, ...)."""
from . import data  # noqa: F401
