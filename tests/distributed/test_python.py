"""nabla.distributed under mpirun (ctest mpi_python, label mpi):

    mpirun --allow-run-as-root --oversubscribe -np 2 /usr/bin/python3 -m pytest tests/distributed/test_python.py -q

Collectives against what each rank can compute itself, the sampler against torch's, and
DistributedDataParallel training against one process taking the whole batch.
"""
import os
import pathlib
import sys

_dir = os.environ.get("NABLA_PYTHON_DIR") or str(pathlib.Path(__file__).resolve().parents[2] / "build" / "python")
sys.path.insert(0, _dir)

import nabla  # noqa: E402
import nabla.distributed as dist  # noqa: E402
import torch  # noqa: E402
from torch.utils.data.distributed import DistributedSampler as TorchSampler  # noqa: E402

dist.init_process_group()
RANK, WORLD = dist.get_rank(), dist.get_world_size()


def test_all_reduce_broadcast_all_gather():
    def mine(k):
        return [float(k + 1), float(10 * k - 3), 7.0]

    t = nabla.tensor(mine(RANK), dtype=nabla.float64)
    dist.all_reduce(t, dist.ReduceOp.SUM)
    assert t.tolist() == [sum(mine(k)[i] for k in range(WORLD)) for i in range(3)]
    m = nabla.tensor(mine(RANK), dtype=nabla.float32)
    dist.all_reduce(m, dist.ReduceOp.MAX)
    assert m.tolist() == [max(mine(k)[i] for k in range(WORLD)) for i in range(3)]
    b = nabla.tensor(mine(RANK), dtype=nabla.float64)
    dist.broadcast(b, src=WORLD - 1)
    assert b.tolist() == mine(WORLD - 1)
    g = dist.all_gather(nabla.tensor(mine(RANK), dtype=nabla.float64))
    assert g.tolist() == [mine(k) for k in range(WORLD)]


def test_sampler_matches_torch():
    for size, shuffle, drop_last in [(11, True, False), (11, True, True), (5, False, False)]:
        for epoch in (0, 2):
            ours = dist.DistributedSampler(size, shuffle=shuffle, seed=4, drop_last=drop_last)
            theirs = TorchSampler(list(range(size)), num_replicas=WORLD, rank=RANK, shuffle=shuffle, seed=4,
                                  drop_last=drop_last)
            ours.set_epoch(epoch)
            theirs.set_epoch(epoch)
            assert list(ours) == list(theirs) and len(ours) == len(theirs)


def _model(seed):
    nabla.manual_seed(seed)
    return nabla.nn.Sequential(nabla.nn.Linear(3, 8, dtype=nabla.float64), nabla.nn.Tanh(),
                               nabla.nn.Linear(8, 1, dtype=nabla.float64))


def test_ddp_trains_as_one_process():
    nabla.manual_seed(7)
    x = nabla.randn(30, 3, dtype=nabla.float64)
    y = (x[:, :1] * 2 - x[:, 2:]).tanh()
    ddp = dist.DistributedDataParallel(_model(1 if RANK == 0 else 99))  # rank 0's weights win
    ref = _model(1)
    opt = nabla.optim.SGD(ddp.parameters(), lr=0.1, momentum=0.9)
    ref_opt = nabla.optim.SGD(ref.parameters(), lr=0.1, momentum=0.9)
    batch = 10
    for step in range(6):
        rows = list(range((step % 3) * batch, (step % 3 + 1) * batch))
        base, extra = divmod(batch, WORLD)
        begin = RANK * base + min(RANK, extra)
        end = begin + base + (1 if RANK < extra else 0)
        mine = rows[begin:end]
        opt.zero_grad()
        nabla.nn.functional.mse_loss(ddp(x[mine]), y[mine]).backward()
        ddp.sync_gradients(len(mine))
        opt.step()
        ref_opt.zero_grad()
        nabla.nn.functional.mse_loss(ref(x[rows]), y[rows]).backward()
        ref_opt.step()
        for p, q in zip(ddp.parameters(), ref.parameters()):
            a, b = p.detach().reshape(-1).tolist(), q.detach().reshape(-1).tolist()
            assert max(abs(u - v) for u, v in zip(a, b)) < 1e-12, step
