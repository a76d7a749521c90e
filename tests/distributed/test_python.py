"""nabla.distributed under mpirun (ctest mpi_python, label mpi):

    mpirun --allow-run-as-root --oversubscribe -np 2 /usr/bin/python3 -m pytest tests/distributed/test_python.py -q

Collectives against what each rank can compute itself, the sampler against torch's, and
DistributedDataParallel training against one process taking the whole batch. The torch-style loop
(no explicit gradient call: the reduction finishes inside backward) is checked bit for bit in
float64 against every rank's own replay of the N shards combined in the documented rank order;
no_sync accumulation, forwards that must not arm, an unused parameter (the error, sync_gradients'
recovery, find_unused_parameters), torch's import paths and init_process_group's backends.
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


# ---- torch's DDP loop: the gradients averaged inside loss.backward() ----

def _flat(tensors):
    return [v for t in tensors for v in t.detach().reshape(-1).tolist()]


def _grads(model):
    return _flat(p.grad for p in model.parameters())


def _set_grads(model, flat):
    at = 0
    for p in model.parameters():
        n = p.numel()
        p.grad = nabla.tensor(flat[at:at + n], dtype=p.dtype).reshape(p.shape)
        at += n


def _combined(shard_grads, rows):
    """DataParallel's documented reduction order (nabla/distributed.h, combine_shards), in Python
    floats (IEEE double, as the C++): sum over ranks k = 0.. in order of g_k * rows_k, from -0,
    divided by the total rows."""
    total = sum(rows)
    out = []
    for i in range(len(shard_grads[0])):
        acc = -0.0
        for g, r in zip(shard_grads, rows):
            acc += g[i] * float(r)
        out.append(acc / float(total))
    return out


def _loop_data(dtype):
    nabla.manual_seed(11)
    x = nabla.randn(30, 3, dtype=dtype)
    return x, (x[:, :1] * 2 - x[:, 2:]).tanh()


def _model_of(seed, dtype):
    nabla.manual_seed(seed)
    return nabla.nn.Sequential(nabla.nn.Linear(3, 8, dtype=dtype), nabla.nn.Tanh(), nabla.nn.Linear(8, 1, dtype=dtype))


def _torch_style_loop(dtype):
    """A torch DDP loop (DistributedSampler, no explicit gradient call), 2 epochs of batches of 4
    rows per rank, against every rank's own replay: the N shards' gradients combined in rank
    order (`exact`) and one process taking each whole global batch (`whole`)."""
    from nabla.nn.parallel import DistributedDataParallel as DDP
    x, y = _loop_data(dtype)
    crit = nabla.nn.MSELoss()
    model = DDP(_model_of(1 if RANK == 0 else 40 + RANK, dtype))  # rank 0's weights win
    exact, whole = _model_of(1, dtype), _model_of(1, dtype)
    # PyTorch itself, one process taking each whole global batch, from the same weights.
    tdtype = torch.float64 if dtype == nabla.float64 else torch.float32
    ref = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1)).to(tdtype)
    with torch.no_grad():
        for q, p in zip(ref.parameters(), whole.parameters()):
            q.copy_(torch.tensor(p.detach().tolist(), dtype=tdtype))
    ref_opt = torch.optim.SGD(ref.parameters(), lr=0.1, momentum=0.9)
    assert _flat(model.parameters()) == _flat(exact.parameters())
    opt = nabla.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    exact_opt = nabla.optim.SGD(exact.parameters(), lr=0.1, momentum=0.9)
    whole_opt = nabla.optim.SGD(whole.parameters(), lr=0.1, momentum=0.9)
    from nabla.utils.data import DataLoader, TensorDataset
    from nabla.utils.data.distributed import DistributedSampler
    sampler = DistributedSampler(TensorDataset(x, y), seed=3)
    loader = DataLoader(TensorDataset(x, y), batch_size=4, sampler=sampler)
    samplers = [dist.DistributedSampler(len(x), num_replicas=WORLD, rank=k, seed=3) for k in range(WORLD)]
    batch, checked = 4, False
    for epoch in range(2):
        sampler.set_epoch(epoch)
        for s in samplers:
            s.set_epoch(epoch)
        mine, shards = list(sampler), [list(s) for s in samplers]
        assert mine == shards[RANK]
        for start, (xb, yb) in zip(range(0, len(mine), batch), loader):
            rows = mine[start:start + batch]
            assert xb.tolist() == x[rows].tolist()
            opt.zero_grad()
            loss = crit(model(xb), yb)
            loss.backward()
            if start // batch % 2 == 1:  # the explicit call of earlier versions: reduced already, nothing
                model.sync_gradients(len(rows))
            # The replay: each rank's shard, one after the other.
            shard_rows = [s[start:start + batch] for s in shards]
            shard_grads = []
            for r in shard_rows:
                exact_opt.zero_grad()
                crit(exact(x[r]), y[r]).backward()
                shard_grads.append(_grads(exact))
            expected = _combined(shard_grads, [len(r) for r in shard_rows])
            if not checked:  # the ranks' own gradients differ: the reduction has work to do
                assert all(shard_grads[k] != shard_grads[RANK] for k in range(WORLD) if k != RANK)
                assert expected != shard_grads[RANK]
                checked = True
            if dtype == nabla.float64:
                assert _grads(model) == expected, (epoch, start)
            _set_grads(exact, expected)
            opt.step()
            exact_opt.step()
            everything = [i for r in shard_rows for i in r]
            whole_opt.zero_grad()
            crit(whole(x[everything]), y[everything]).backward()
            whole_opt.step()
            ref_opt.zero_grad()
            idx = torch.tensor(everything)
            torch.nn.MSELoss()(ref(torch.tensor(x.tolist(), dtype=tdtype)[idx]),
                               torch.tensor(y.tolist(), dtype=tdtype)[idx]).backward()
            ref_opt.step()
    return model, exact, whole, [v for q in ref.parameters() for v in q.detach().reshape(-1).tolist()]


def test_torch_style_loop_float64_bit_exact():
    model, exact, whole, ref = _torch_style_loop(nabla.float64)
    assert _flat(model.parameters()) == _flat(exact.parameters())
    worst = max(abs(a - b) for a, b in zip(_flat(model.parameters()), _flat(whole.parameters())))
    assert worst < 1e-12
    assert max(abs(a - b) for a, b in zip(_flat(model.parameters()), ref)) < 1e-12  # PyTorch, one process


def test_torch_style_loop_float32():
    model, _, whole, ref = _torch_style_loop(nabla.float32)
    worst = max(abs(a - b) for a, b in zip(_flat(model.parameters()), _flat(whole.parameters())))
    assert worst < 1e-5
    assert max(abs(a - b) for a, b in zip(_flat(model.parameters()), ref)) < 1e-5  # PyTorch, one process


def test_no_sync_accumulates_as_one_step_on_the_concatenated_batches():
    x, y = _loop_data(nabla.float64)
    crit = nabla.nn.MSELoss()
    model = dist.DistributedDataParallel(_model_of(2, nabla.float64))
    whole = _model_of(2, nabla.float64)
    opt = nabla.optim.SGD(model.parameters(), lr=0.1)
    whole_opt = nabla.optim.SGD(whole.parameters(), lr=0.1)

    def micro(j, k):  # micro-batch j of rank k: 3 rows
        return list(range(3 * (WORLD * j + k), 3 * (WORLD * j + k) + 3))

    opt.zero_grad()
    with model.no_sync():
        (crit(model(x[micro(0, RANK)]), y[micro(0, RANK)]) / 2).backward()
    assert not model._reducer.pending
    local = dist.all_gather(nabla.tensor(_grads(model), dtype=nabla.float64)).tolist()
    assert all(local[k] != local[RANK] for k in range(WORLD) if k != RANK), "no_sync communicated"
    (crit(model(x[micro(1, RANK)]), y[micro(1, RANK)]) / 2).backward()
    assert not model._reducer.pending
    everything = [i for j in range(2) for k in range(WORLD) for i in micro(j, k)]
    crit(whole(x[everything]), y[everything]).backward()
    worst = max(abs(a - b) for a, b in zip(_grads(model), _grads(whole)))
    assert 0 < max(abs(v) for v in _grads(whole)) and worst < 1e-14
    opt.step()
    whole_opt.step()
    worst = max(abs(a - b) for a, b in zip(_flat(model.parameters()), _flat(whole.parameters())))
    assert worst < 1e-14


def test_eval_and_no_grad_forward_do_not_arm():
    x, y = _loop_data(nabla.float64)
    crit = nabla.nn.MSELoss()
    model = dist.DistributedDataParallel(_model_of(3, nabla.float64))
    ref = _model_of(3, nabla.float64)
    mine = list(range(4 * RANK, 4 * RANK + 4))
    model.eval()
    assert not model.module[0].training
    with nabla.no_grad():
        model(x[mine])
    assert not model._reducer.pending
    model.train()
    model(x[mine])  # grad mode on: armed, but no backward follows; the next forward replaces it
    assert model._reducer.pending
    crit(model(x[mine]), y[mine]).backward()
    assert not model._reducer.pending
    everything = list(range(4 * WORLD))
    crit(ref(x[everything]), y[everything]).backward()
    assert max(abs(a - b) for a, b in zip(_grads(model), _grads(ref))) < 1e-14


def test_sync_gradients_after_a_reduced_backward_does_nothing():
    x, y = _loop_data(nabla.float64)
    model = dist.DistributedDataParallel(_model_of(6, nabla.float64))
    mine = list(range(4 * RANK, 4 * RANK + 4))
    nabla.nn.functional.mse_loss(model(x[mine]), y[mine]).backward()
    reduced = _grads(model)
    with nabla.no_grad():
        for p in model.parameters():
            p.grad.add_(float(RANK))  # in place: no gradient accumulated, nothing to reduce again
    model.sync_gradients(len(mine))
    assert _grads(model) == [v + RANK for v in reduced], "sync_gradients reduced a second time"
    # A gradient accumulated after the reduction (not armed) is reduced by the next call.
    with model.no_sync():
        nabla.nn.functional.mse_loss(model(x[mine]), y[mine]).backward()
    model.sync_gradients(len(mine))
    mean_rank = sum(range(WORLD)) / WORLD
    assert max(abs(a - (2 * b + mean_rank)) for a, b in zip(_grads(model), reduced)) < 1e-12


class _WithUnused(nabla.nn.Module):
    def __init__(self):
        super().__init__()
        nabla.manual_seed(5)
        self.fc = nabla.nn.Linear(3, 1, dtype=nabla.float64)
        self.head = nabla.nn.Linear(3, 1, dtype=nabla.float64)

    def forward(self, x, use_head=False):
        return self.head(x) if use_head else self.fc(x)


def test_unused_parameter_is_named_and_sync_gradients_recovers():
    x, y = _loop_data(nabla.float64)
    crit = nabla.nn.MSELoss()
    model = dist.DistributedDataParallel(_WithUnused())
    mine = list(range(4 * RANK, 4 * RANK + 4))
    crit(model(x[mine]), y[mine]).backward()
    assert model._reducer.pending, "head got no gradient: the reduction cannot have finished"
    local = model.module.fc.weight.grad.tolist()
    try:
        model(x[mine])
        raise AssertionError("no error")
    except ValueError as e:
        what = str(e)
        assert "expected to have finished reduction" in what and "head." in what, what
        assert "sync_gradients()" in what and "no_sync()" in what and "find_unused_parameters" in what, what
    model.sync_gradients()
    assert not model._reducer.pending
    everything = list(range(4 * WORLD))
    ref = _WithUnused()
    crit(ref(x[everything]), y[everything]).backward()
    got = _flat([model.module.fc.weight.grad, model.module.fc.bias.grad])
    assert max(abs(a - b) for a, b in zip(got, _flat([ref.fc.weight.grad, ref.fc.bias.grad]))) < 1e-14
    assert got[:3] != local[0]
    assert _flat([model.module.head.weight.grad]) == [0.0, 0.0, 0.0]
    model.zero_grad()
    crit(model(x[mine], use_head=True), y[mine]).backward()  # works again; fc unused now
    model.sync_gradients()
    # find_unused_parameters: the parameters the output does not reach count as zeros.
    model = dist.DistributedDataParallel(_WithUnused(), find_unused_parameters=True)
    for _ in range(2):
        model.zero_grad()
        crit(model(x[mine]), y[mine]).backward()
        assert not model._reducer.pending
    assert _flat([model.module.fc.weight.grad, model.module.fc.bias.grad]) == got


def test_torch_paths_state_dict_and_init_process_group():
    import nabla as th
    from nabla.nn.parallel import DistributedDataParallel as DDP
    from nabla.nn.parallel.distributed import DistributedDataParallel
    from nabla.utils.data.distributed import DistributedSampler
    assert th.utils.data.DistributedSampler is DistributedSampler is dist.DistributedSampler
    assert th.nn.parallel.DistributedDataParallel is DDP is DistributedDataParallel is dist.DistributedDataParallel
    dist.init_process_group("gloo")
    dist.init_process_group(backend="mpi", init_method="env://", world_size=WORLD, rank=RANK)
    assert dist.is_initialized()
    for backend in ("nccl", "NCCL"):
        try:
            dist.init_process_group(backend)
            raise AssertionError("no error")
        except ValueError as e:
            assert "CPUs over MPI" in str(e), str(e)
    try:
        dist.init_process_group("gloo", world_size=WORLD + 1)
        raise AssertionError("no error")
    except ValueError as e:
        assert f"world_size={WORLD + 1}" in str(e) and f"world_size = {WORLD}" in str(e), str(e)
    model = DDP(_model_of(4, nabla.float64), device_ids=None, output_device=None, gradient_as_bucket_view=True,
                static_graph=False)
    keys = list(model.state_dict())
    assert keys == ["module." + k for k in model.module.state_dict()] and keys[0] == "module.0.weight"
    assert [n for n, _ in model.named_parameters()][0] == "module.0.weight"
    model.eval()
    assert not model.training and not model.module.training
    for device_ids in ([0], ["cuda:0"]):
        try:
            DDP(_model_of(4, nabla.float64), device_ids=device_ids)
            raise AssertionError("no error")
        except ValueError as e:
            assert "CPUs only" in str(e), str(e)


def test_a_model_converted_after_wrapping_is_refused():
    model = dist.DistributedDataParallel(_model_of(4, nabla.float32))
    x = nabla.randn(4, 3)
    model(x).sum().backward()
    model.double()
    try:
        model(x.double())
        raise AssertionError("no error")
    except ValueError as e:
        assert "is now float64" in str(e) and "before wrapping it" in str(e), str(e)
