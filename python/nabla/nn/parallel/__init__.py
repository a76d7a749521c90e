"""nabla.nn.parallel — torch.nn.parallel's path to DistributedDataParallel (nabla.distributed's:
data-parallel training on CPUs over MPI, started by mpirun).

    from nabla.nn.parallel import DistributedDataParallel as DDP
    model = DDP(model)
"""
from .distributed import DistributedDataParallel

__all__ = ["DistributedDataParallel"]
