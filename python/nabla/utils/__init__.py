"""nabla.utils — as torch.utils: ``nabla.utils.data`` (Dataset, DataLoader, ...), ``nabla.utils.hooks``."""
from . import data, hooks  # noqa: F401
