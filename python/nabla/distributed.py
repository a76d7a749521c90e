"""nabla.distributed — data-parallel training over MPI, launched with mpirun, written as with
torch.distributed (backends "mpi" and "gloo": both CPU, both run over MPI here). Available when nabla
was built with MPI (is_available()).

    mpirun -np 2 python3 train.py

    import nabla as torch
    dist = torch.distributed            # (`import torch.distributed` would load PyTorch's own)
    dist.init_process_group("gloo")
    model = torch.nn.parallel.DistributedDataParallel(model)   # rank 0's parameters everywhere
    sampler = dist.DistributedSampler(dataset, seed=0)          # this rank's indices, torch's order
    for epoch in range(epochs):
        sampler.set_epoch(epoch)
        for x, y in batches:                                    # this rank's rows
            opt.zero_grad(); loss = crit(model(x), y); loss.backward(); opt.step()

As torch's DDP, loss.backward() averages the gradients over the ranks by itself: model(x) arms the
reduction (when grad mode is on and not inside no_sync()), each bucket of gradients starts
travelling while backward goes on, and the last gradient finishes it, inside backward. Every .grad
becomes the row-weighted mean over the ranks (rows: x.size(0) on each rank), added in rank order,
so float64 runs are reproducible bit for bit (nabla/distributed.h). With equal rows on every rank
(DistributedSampler pads to equal counts) that is torch's average; with unequal rows it is the
gradient one process gets from the whole global batch (torch's plain average would weight each
rank's rows unequally). BatchNorm keeps per-rank statistics; forward copies rank 0's buffers to
every rank first (torch's broadcast_buffers). model.sync_gradients(rows) after backward, the
explicit call of earlier versions, still works (it does nothing when backward has reduced).
"""
from . import _C

_d = getattr(_C, "_distributed", None)


class ReduceOp:
    SUM = "sum"
    AVG = "mean"
    MAX = "max"


def is_available():
    """True when this nabla was built with MPI."""
    return _d is not None


def _mpi():
    if _d is None:
        raise RuntimeError("nabla.distributed: this nabla was built without MPI "
                           "(install libopenmpi-dev openmpi-bin and build again)")
    return _d


_initialized = False


def init_process_group(backend="mpi", init_method=None, timeout=None, world_size=-1, rank=-1, store=None,
                       group_name="", pg_options=None):
    """Initialises MPI (once; finalised at exit). backend "mpi" or "gloo" (torch's CPU backends:
    here both run over MPI, started by mpirun); "nccl" (GPUs) is refused. init_method, store and
    timeout are ignored (mpirun connects the ranks); world_size and rank, when given, must be
    MPI's."""
    global _initialized
    name = str(backend).lower() if backend is not None else "mpi"
    if "nccl" in name or "ucc" in name:
        raise ValueError(f"nabla.distributed: backend {backend!r} is for GPUs; nabla runs on CPUs over MPI: use "
                         "init_process_group(\"gloo\") or \"mpi\" and start the ranks with mpirun -np N")
    if name not in ("mpi", "gloo", "cpu:gloo", "cpu:mpi"):
        raise ValueError(f"nabla.distributed: backend must be 'mpi' or 'gloo' (CPU, over MPI), got {backend!r}")
    _mpi().init()
    for what, given, actual in (("world_size", world_size, _d.world_size()), ("rank", rank, _d.rank())):
        if given is not None and given != -1 and given != actual:
            raise ValueError(f"nabla.distributed: init_process_group({what}={given}) but MPI says {what} = {actual}: "
                             f"mpirun decides the ranks (mpirun -np N); leave {what} out or pass MPI's")
    _initialized = True


def is_initialized():
    """True after init_process_group (until destroy_process_group)."""
    return _initialized


def destroy_process_group():
    global _initialized
    _mpi().finalize()
    _initialized = False


def get_rank():
    return _mpi().rank()


def get_world_size():
    return _mpi().world_size()


def barrier():
    _mpi().barrier()


def all_reduce(tensor, op=ReduceOp.SUM):
    """In place: sum / mean / max over the ranks (f32, f64, int64; contiguous)."""
    _mpi().all_reduce(tensor, op)
    return tensor


def broadcast(tensor, src=0):
    """In place: rank src's values on every rank."""
    _mpi().broadcast(tensor, src)
    return tensor


def all_gather(tensor):
    """Every rank's tensor, stacked: shape (world_size, *tensor.shape)."""
    return _mpi().all_gather(tensor)


class DistributedSampler:
    """torch.utils.data.distributed.DistributedSampler (torch 1.13), index for index."""

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False):
        self.size = dataset if isinstance(dataset, int) else len(dataset)
        self.num_replicas = get_world_size() if num_replicas is None else num_replicas
        self.rank = get_rank() if rank is None else rank
        self.shuffle, self.seed, self.drop_last, self.epoch = shuffle, seed, drop_last, 0
        self.num_samples = self._draw()[1]

    def _draw(self):
        return _mpi().sampler_indices(self.size, self.num_replicas, self.rank, self.shuffle, self.seed,
                                      self.drop_last, self.epoch)

    def set_epoch(self, epoch):
        self.epoch = epoch

    def __iter__(self):
        return iter(self._draw()[0])

    def __len__(self):
        return self.num_samples


def __getattr__(name):
    # DistributedDataParallel lives at torch's path, nabla.nn.parallel (an nn.Module: importing it
    # here at load time would make nabla.nn and nabla.utils.data import each other).
    if name == "DistributedDataParallel":
        from .nn.parallel.distributed import DistributedDataParallel
        return DistributedDataParallel
    raise AttributeError(f"module 'nabla.distributed' has no attribute {name!r}")
