"""The PyTorch side of bench/vs_torch: workloads W1-W5 written once against PyTorch's API, and the
worker that times one of them (a process of its own, started as `vs_torch --worker W`). The same
source runs on nabla's Python module (lib="nabla"), eagerly or through nabla.compile."""
import json
import math
import resource
import statistics
import time

def torch_workload(wid, lib="torch"):
    """Model, loss, optimizer and batches of workload `wid`, seeded as bench/workloads.cpp, written
    against PyTorch's API. With lib="nabla" the same source runs on nabla's Python module (the
    one-import switch of `import nabla as torch`), which gives the same numbers."""
    import importlib
    torch = importlib.import_module(lib)
    nn = torch.nn

    weight_seed, data_seed = 0, 1

    def moons(n=1024, noise=0.1):
        # nabla::make_moons (include/nabla/data/synthetic.h): row i has class i % 2,
        # t = pi * (i // 2) / h; base computed in float64, rounded, then noise drawn in float32.
        h = max((n + 1) // 2 - 1, 1)
        rows = []
        for i in range(n):
            t = math.pi * (i // 2) / h
            rows.append([math.cos(t), math.sin(t)] if i % 2 == 0 else [1 - math.cos(t), 1 - math.sin(t) - 0.5])
        g = torch.Generator().manual_seed(data_seed)
        x = torch.tensor(rows, dtype=torch.float64).float() + noise * torch.randn(n, 2, generator=g)
        y = torch.tensor([[float(i % 2)] for i in range(n)])
        return x, y

    def batches(x, y, b):
        return [(x[i:i + b].clone(), y[i:i + b].clone()) for i in range(0, x.shape[0] - b + 1, b)]

    class SkipMlp(nn.Module):
        # W3 (seed 002): h3 = relu(fc3(h2) + h1).
        def __init__(self, d_in, hidden, d_out):
            super().__init__()
            self.fc1 = nn.Linear(d_in, hidden)
            self.fc2 = nn.Linear(hidden, hidden)
            self.fc3 = nn.Linear(hidden, hidden)
            self.fc4 = nn.Linear(hidden, d_out)

        def forward(self, x):
            h1 = torch.relu(self.fc1(x))
            h2 = torch.relu(self.fc2(h1))
            h3 = torch.relu(self.fc3(h2) + h1)
            return self.fc4(h3)

    def random_mlp(widths, b):
        torch.manual_seed(weight_seed)
        layers = []
        for i in range(len(widths) - 1):
            if i > 0:
                layers.append(nn.ReLU())
            layers.append(nn.Linear(widths[i], widths[i + 1]))
        model = nn.Sequential(*layers)
        g = torch.Generator().manual_seed(data_seed)
        data = []
        for _ in range(8):
            x = torch.randn(b, widths[0], generator=g)
            y = torch.randint(0, widths[-1], (b,), generator=g)
            data.append((x, y))
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        return model, nn.CrossEntropyLoss(), opt, data

    if wid == "W1":
        torch.manual_seed(weight_seed)
        f64 = torch.float64
        model = nn.Sequential(nn.Linear(2, 2, dtype=f64), nn.Sigmoid(), nn.Linear(2, 1, dtype=f64), nn.Sigmoid())
        x = torch.tensor([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=f64)
        y = torch.tensor([[0], [1], [1], [0]], dtype=f64)
        return model, nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.5), [(x, y)]
    if wid == "W2":
        torch.manual_seed(weight_seed)
        model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1))
        return model, nn.BCEWithLogitsLoss(), torch.optim.SGD(model.parameters(), lr=0.1), batches(*moons(), 32)
    if wid == "W3":
        torch.manual_seed(weight_seed)
        model = SkipMlp(2, 64, 1)
        return model, nn.BCEWithLogitsLoss(), torch.optim.SGD(model.parameters(), lr=0.1), batches(*moons(), 64)
    if wid == "W4":
        return random_mlp([784, 512, 256, 10], 128)
    if wid == "W5":
        return random_mlp([1024, 4096, 4096, 10], 256)
    raise SystemExit(f"vs_torch: unknown workload {wid}")


FLOP = {  # 3 x sum of 2*B*in*out, as bench/workloads.cpp
    "W1": 3 * 2 * 4 * (2 * 2 + 2 * 1),
    "W2": 3 * 2 * 32 * (2 * 16 + 16 * 16 + 16 * 1),
    "W3": 3 * 2 * 64 * (2 * 64 + 64 * 64 + 64 * 64 + 64 * 1),
    "W4": 3 * 2 * 128 * (784 * 512 + 512 * 256 + 256 * 10),
    "W5": 3 * 2 * 256 * (1024 * 4096 + 4096 * 4096 + 4096 * 10),
}


def torch_worker(args):
    """Times one workload from Python with bench/runner.cpp's protocol; prints one JSON line. The
    library is PyTorch, or nabla's Python module running the same loop (--lib nabla), eagerly or with
    the step captured once by nabla.compile and replayed (--compile)."""
    import importlib
    torch = importlib.import_module(args.lib)

    torch.set_num_threads(args.threads)
    wid = args.worker.upper()
    model, loss_fn, opt, data = torch_workload(wid, args.lib)
    state = {"next": 0, "loss": None}

    def train_step(x, y):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.detach()

    run = torch.compile(train_step) if args.compile else train_step

    def step():
        x, y = data[state["next"]]
        state["next"] = (state["next"] + 1) % len(data)
        state["loss"] = run(x, y)

    clock = time.perf_counter
    warm_start = clock()
    warmup = 0
    if args.warmup >= 0:
        for _ in range(args.warmup):
            step()
        warmup = args.warmup
    else:
        while warmup < 2 or clock() - warm_start < 0.25:
            step()
            warmup += 1
    warm_seconds = clock() - warm_start
    steps = args.steps if args.steps > 0 else max(3, round(args.seconds / (warm_seconds / warmup)))
    rates = []
    for _ in range(args.repeats):
        start = clock()
        for _ in range(steps):
            step()
        rates.append(steps / (clock() - start))
    med = statistics.median(rates)
    print(json.dumps({
        "workload": wid, "steps_per_s": med, "steps_per_s_min": min(rates), "steps_per_s_max": max(rates),
        "us_per_step": 1e6 / med, "gflops": FLOP[wid] * med / 1e9 if wid in ("W4", "W5") else None,
        "final_loss": state["loss"].item(),
        "peak_rss_mb": peak_rss_mib(),
        "threads": torch.get_num_threads(), "repeats": len(rates), "steps_per_repeat": steps,
        "warmup_steps": warmup, "steps_per_s_all": rates, "version": torch.__version__,
        "lib": args.lib, "compiled": bool(args.compile),
    }), flush=True)


def peak_rss_mib():
    """This process's peak resident set (VmHWM), as nabla bench reports its own: not ru_maxrss,
    which Linux carries over exec from the process that started it."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
