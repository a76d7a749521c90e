"""nabla.distributed — data-parallel training over MPI, launched with mpirun, written as with
torch.distributed (backends "mpi" and "gloo": both CPU, both run over MPI here). Available when nabla
was built with MPI (is_available()).

    mpirun -np 2 python3 train.py

    import nabla as torch
    import torch.distributed as dist   # or: import nabla.distributed as dist
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
import contextlib

from . import _C
from .autograd import is_grad_enabled
from .nn.modules.module import Module

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


def _rows_of(args, kwargs):
    """This rank's rows in a forward call: the first tensor argument's size(0)."""
    from . import Tensor
    for value in list(args) + list(kwargs.values()):
        if isinstance(value, Tensor):
            if value.dim() == 0:
                raise ValueError("DistributedDataParallel: the first tensor argument of forward is a scalar; its "
                                 "size(0) is the number of rows this rank's loss averages over")
            return value.size(0)
    raise ValueError("DistributedDataParallel: forward got no tensor argument; the first one's size(0) is the "
                     "number of rows this rank's loss averages over")


class DistributedDataParallel(Module):
    """torch.nn.parallel.DistributedDataParallel on CPUs over MPI: wraps `module` (its child,
    so parameters(), state_dict() with keys "module.*", train()/eval() and .module are torch's).
    The constructor checks that every rank has the same parameter and buffer names, shapes and
    dtypes, then copies rank 0's parameters and buffers to every rank.

    forward(*args) runs the module and, when grad mode is on and not inside no_sync(), arms the
    reduction: loss.backward() then leaves every .grad the mean over the ranks, weighted by each
    rank's rows (the first tensor argument's size(0)): with equal rows torch's average, with
    unequal rows the gradient of the whole global batch (see the module docstring). A backward
    that gives some parameter no gradient does not finish it: the next forward raises, unless
    model.sync_gradients() is called (missing gradients count as zeros) or the module was wrapped
    with find_unused_parameters=True (the parameters the output does not reach count as zeros).

    bucket_cap_mb: the gradients travel in buckets of at most this size (torch's 25 MB default).
    deterministic (nabla's): add the ranks' values in rank order (bit-exact float64); False:
    MPI_Allreduce. device_ids / output_device must name the CPU (None); dim must be 0;
    gradient_as_bucket_view, static_graph, check_reduction are accepted and ignored."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=True,
                 process_group=None, bucket_cap_mb=25, find_unused_parameters=False, check_reduction=False,
                 gradient_as_bucket_view=False, static_graph=False, deterministic=True):
        super().__init__()
        for what, value in (("device_ids", device_ids), ("output_device", output_device)):
            devices = value if isinstance(value, (list, tuple)) else [value]
            if any(d is not None and str(d) != "cpu" for d in devices):
                raise ValueError(f"DistributedDataParallel: {what}={value!r}, but nabla runs on CPUs only: leave "
                                 f"{what} out (None), one process per rank on the CPUs, started by mpirun")
        if dim != 0:
            raise ValueError(f"DistributedDataParallel: dim must be 0 (the batch dimension), got {dim}")
        if process_group is not None:
            raise ValueError("DistributedDataParallel: process_group must be None (nabla has the world group only)")
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel: module must be a nabla.nn.Module, got {type(module).__name__}")
        if bucket_cap_mb <= 0:
            raise ValueError(f"DistributedDataParallel: bucket_cap_mb must be > 0, got {bucket_cap_mb}")
        self.module = module
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.deterministic = deterministic
        self.bucket_bytes = int(bucket_cap_mb * (1 << 20))
        self.require_backward_grad_sync = True
        self._rows = None  # the rows of the last armed forward
        self._reducer = _mpi().DataParallel(list(module.named_parameters()), list(module.named_buffers()),
                                            self.bucket_bytes, deterministic)

    def sync_buffers(self):
        """Rank 0's buffers (BatchNorm's running statistics) to every rank."""
        for _, b in self.module.named_buffers():
            broadcast(b, 0)

    def forward(self, *args, **kwargs):
        if self.broadcast_buffers:
            self.sync_buffers()
        armed = is_grad_enabled() and self.require_backward_grad_sync
        if armed:
            rows = _rows_of(args, kwargs)
            self._reducer.prepare_backward(rows, True, True)
            self._rows = rows
        out = self.module(*args, **kwargs)
        if armed and self.find_unused_parameters:
            self._reducer.find_unused_parameters(_tensors_in(out))
        return out

    @contextlib.contextmanager
    def no_sync(self):
        """Inside it, forward does not arm the reduction: backward accumulates each rank's own
        gradients, and the first backward after it averages the accumulated ones (as torch)."""
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous

    def sync_gradients(self, rows=None, mean=True):
        """After backward: each .grad becomes the row-weighted mean over the ranks (mean=False, for
        a loss summed over the rows: the sum). Does nothing when backward has already reduced;
        finishes a reduction that a backward left unfinished (missing gradients: zeros). rows:
        this rank's rows (default: those of the last armed forward)."""
        if rows is None:
            rows = self._rows
            if rows is None:
                raise ValueError("DistributedDataParallel.sync_gradients: pass rows (this rank's rows): no "
                                 "forward has armed a reduction")
        self._reducer.sync_gradients(rows, mean)


def _tensors_in(value):
    """The tensors in a forward's output (a tensor, or lists / tuples / dicts of them)."""
    from . import Tensor
    if isinstance(value, Tensor):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _tensors_in(v)]
    return []
