"""nabla.distributed — data-parallel training over MPI, launched with mpirun (as torch.distributed
with the "mpi" backend). Available when nabla was built with MPI (is_available()).

    mpirun -np 2 python3 train.py

    import nabla.distributed as dist
    dist.init_process_group()
    model = dist.DistributedDataParallel(model)            # rank 0's parameters everywhere
    sampler = dist.DistributedSampler(dataset, seed=0)     # this rank's indices, torch's order
    for epoch in range(epochs):
        sampler.set_epoch(epoch)
        ...; loss.backward(); model.sync_gradients(len(rows)); opt.step()

Unlike torch's DDP, the gradient averaging is an explicit call after backward (nabla has no
backward-completion hook): sync_gradients(rows) makes every .grad the row-weighted mean over the
ranks, added in rank order, so float64 runs are reproducible bit for bit (nabla/distributed.h).
BatchNorm keeps per-rank statistics; sync_buffers() copies rank 0's running statistics to every
rank (torch's broadcast_buffers, called by forward()).
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


def init_process_group(backend="mpi"):
    """Initialises MPI (once; finalised at exit)."""
    if backend != "mpi":
        raise ValueError(f"nabla.distributed: backend must be 'mpi', got {backend!r}")
    _mpi().init()


def destroy_process_group():
    _mpi().finalize()


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


class DistributedDataParallel:
    """Wraps a module: rank 0's parameters and buffers copied to every rank (after checking that
    every rank has the same names, shapes and dtypes); sync_gradients(rows) after backward."""

    def __init__(self, module, bucket_cap_mb=4, deterministic=True):
        self.module = module
        self.bucket_bytes = int(bucket_cap_mb * (1 << 20))
        self.deterministic = deterministic
        layout = [f"parameter {n} {p.dtype} {tuple(p.shape)}" for n, p in module.named_parameters()]
        layout += [f"buffer {n} {b.dtype} {tuple(b.shape)}" for n, b in module.named_buffers()]
        _mpi().check_same("\n".join(layout), "model (parameter names, dtypes and shapes)")
        for _, p in module.named_parameters():
            broadcast(p, 0)
        self.sync_buffers()

    def sync_buffers(self):
        for _, b in self.module.named_buffers():
            broadcast(b, 0)

    def __call__(self, *args, **kwargs):
        self.sync_buffers()
        return self.module(*args, **kwargs)

    def sync_gradients(self, rows, mean=True):
        """After backward: each .grad becomes the row-weighted mean over the ranks (mean=False, for
        a loss summed over the rows: the sum)."""
        _mpi().sync_gradients(list(self.module.parameters()), rows, mean, self.bucket_bytes, self.deterministic)

    def parameters(self, recurse=True):
        return self.module.parameters(recurse)
