"""Golden indices of torch.utils.data.distributed.DistributedSampler (torch 1.13) for
tests/distributed/sampler_test.cpp: every rank's indices for a few sizes, replica counts,
shuffle / drop_last settings, seeds and epochs (padding by repeating the start included).

    /usr/bin/python3 tests/golden/gen_distributed_sampler.py
"""
import json
import os

import torch
from torch.utils.data.distributed import DistributedSampler

cases = []
for size, replicas in [(10, 3), (10, 2), (7, 4), (2, 5), (12, 3), (1, 3)]:
    for shuffle in (True, False):
        for drop_last in (False, True):
            for seed, epoch in [(0, 0), (0, 3), (42, 1)]:
                per_rank = []
                for rank in range(replicas):
                    s = DistributedSampler(list(range(size)), num_replicas=replicas, rank=rank,
                                           shuffle=shuffle, seed=seed, drop_last=drop_last)
                    s.set_epoch(epoch)
                    per_rank.append(list(iter(s)))
                cases.append(dict(size=size, replicas=replicas, shuffle=shuffle, drop_last=drop_last,
                                  seed=seed, epoch=epoch, num_samples=s.num_samples, indices=per_rank))

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "distributed_sampler.json")
with open(out, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
print(f"{out}: {len(cases)} cases")
