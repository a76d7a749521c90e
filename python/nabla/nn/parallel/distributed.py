"""nabla.nn.parallel.distributed — torch.nn.parallel.distributed's path to nabla.distributed's
DistributedDataParallel."""
from ...distributed import DistributedDataParallel

__all__ = ["DistributedDataParallel"]
