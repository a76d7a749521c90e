"""nabla.nn.parallel.distributed — DistributedDataParallel (torch.nn.parallel.distributed's):
data-parallel training on CPUs over MPI, the gradients averaged inside loss.backward(); see
nabla.distributed for the launch, the sampler and the reduction order.

    model = nabla.nn.parallel.DistributedDataParallel(model)
    opt.zero_grad(); crit(model(x), y).backward(); opt.step()   # .grad: the mean over the ranks
"""
import contextlib

from ... import Tensor
from ... import distributed as _dist
from ...autograd import is_grad_enabled
from ..modules.module import Module

__all__ = ["DistributedDataParallel"]


def _rows_of(args, kwargs):
    """This rank's rows in a forward call: the first tensor argument's size(0)."""
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
    unequal rows the gradient of the whole global batch (see nabla.distributed). A backward
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
        self._reducer = _dist._mpi().DataParallel(list(module.named_parameters()), list(module.named_buffers()),
                                            self.bucket_bytes, deterministic)

    def sync_buffers(self):
        """Rank 0's buffers (BatchNorm's running statistics) to every rank."""
        for _, b in self.module.named_buffers():
            _dist.broadcast(b, 0)

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
    if isinstance(value, Tensor):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _tensors_in(v)]
    return []
