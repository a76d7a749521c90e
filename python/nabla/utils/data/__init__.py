"""nabla.utils.data — torch.utils.data for nabla: Dataset, TensorDataset, DataLoader (torch's
shuffle order for the same seed), samplers (DistributedSampler: nabla.distributed's), default_collate,
random_split, Subset."""
from .dataset import ConcatDataset, Dataset, Subset, TensorDataset, random_split
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
                      WeightedRandomSampler)
from .dataloader import DataLoader, default_collate, default_convert
from .distributed import DistributedSampler

__all__ = ["ConcatDataset", "Dataset", "Subset", "TensorDataset", "random_split", "BatchSampler", "RandomSampler",
           "Sampler", "SequentialSampler", "SubsetRandomSampler", "WeightedRandomSampler", "DataLoader", "default_collate",
           "default_convert", "DistributedSampler"]
