"""nabla.utils.data.distributed — torch.utils.data.distributed's path to nabla.distributed's
DistributedSampler (torch 1.13's, index for index: this rank's share of every epoch).

    from nabla.utils.data.distributed import DistributedSampler
    loader = DataLoader(dataset, batch_size=32, sampler=DistributedSampler(dataset))
"""
from ...distributed import DistributedSampler

__all__ = ["DistributedSampler"]
