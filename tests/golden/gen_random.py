#!/usr/bin/python3
"""Golden values for tests/tensor/random_test.cpp, from PyTorch's CPU generator.

Run with Debian's torch (1.13, no MKL, AVX2 CPU capability):
    /usr/bin/python3 tests/golden/gen_random.py > tests/golden/random_golden.json

Each stream is torch.manual_seed(seed) followed by its steps in order, so later steps check that
the stream continues (including the cached second Box-Muller value). Tensors of up to
FULL_LIMIT elements store every value; larger ones store the first values plus an FNV-1a hash
of all their bytes, which keeps the file small and the comparison exact.
"""
import json
import math
import re
import struct
import sys

import torch

FULL_LIMIT = 24
HEAD = 8
DTYPES = {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64}
FORMATS = {torch.float32: "<f", torch.float64: "<d", torch.int64: "<q"}


def fnv1a64(t):
    fmt = FORMATS[t.dtype]
    h = 0xCBF29CE484222325
    for v in t.reshape(-1).tolist():
        for byte in struct.pack(fmt, v):
            h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def make_target(step):
    """The tensor an in-place step fills: contiguous, or an as_strided view of a base."""
    dtype = DTYPES[step["dtype"]]
    view = step.get("view")
    if view is None:
        return torch.empty(step["shape"], dtype=dtype)
    base = torch.empty(view["base_numel"], dtype=dtype)
    return base.as_strided(step["shape"], view["strides"])


def run(step, gen):
    op, a = step["op"], step.get("args", {})
    dtype = DTYPES.get(step.get("dtype"))
    if op == "rand":
        return torch.rand(step["shape"], dtype=dtype, generator=gen)
    if op == "randn":
        return torch.randn(step["shape"], dtype=dtype, generator=gen)
    if op == "randint":
        return torch.randint(a["low"], a["high"], step["shape"], generator=gen)
    if op == "randperm":
        return torch.randperm(a["n"], generator=gen)
    if op == "multinomial":
        probs = torch.tensor(a["probs"], dtype=dtype)
        return torch.multinomial(probs, a["num_samples"], a["replacement"], generator=gen)
    t = make_target(step)
    if op == "uniform_":
        return t.uniform_(a["low"], a["high"], generator=gen)
    if op == "normal_":
        return t.normal_(a["mean"], a["std"], generator=gen)
    if op == "bernoulli_":
        return t.bernoulli_(a["p"], generator=gen)
    if op == "exponential_":
        return t.exponential_(a["lambd"], generator=gen)
    raise ValueError(op)


def record(step, t):
    out = dict(step)
    if step["op"] == "multinomial":
        out["shape"] = list(t.shape)
    else:
        out["dtype"] = {v: k for k, v in DTYPES.items()}[t.dtype]
    flat = t.reshape(-1)  # logical (row-major) order, also for views
    if flat.numel() <= FULL_LIMIT:
        out["values"] = flat.tolist()
    else:
        out["head"] = flat[:HEAD].tolist()
        out["fnv1a64"] = fnv1a64(flat)
    return out


def kaiming_bounds(fan_in):
    # nn.init.kaiming_uniform_(w, a=math.sqrt(5)) as Linear.reset_parameters computes it.
    gain = math.sqrt(2.0 / (1 + math.sqrt(5) ** 2))
    std = gain / math.sqrt(fan_in)
    return math.sqrt(3.0) * std, 1 / math.sqrt(fan_in)


def sequence_steps():
    b = 1 / math.sqrt(3)  # kaiming_uniform_ bound for fan_in = 3
    kaiming_std = math.sqrt(2.0 / 1024)
    return [
        {"op": "rand", "dtype": "float32", "shape": [5]},
        {"op": "rand", "dtype": "float64", "shape": [5]},
        {"op": "rand", "dtype": "float32", "shape": [2, 50]},
        {"op": "rand", "dtype": "float64", "shape": [100]},
        {"op": "randn", "dtype": "float32", "shape": [5]},  # odd: leaves a cached normal
        {"op": "randn", "dtype": "float32", "shape": [3]},  # starts from the cached one
        {"op": "randn", "dtype": "float64", "shape": [16]},
        {"op": "randn", "dtype": "float32", "shape": [16]},
        {"op": "randn", "dtype": "float32", "shape": [17]},  # tail of 1: last 16 redrawn
        {"op": "randn", "dtype": "float64", "shape": [17]},
        {"op": "randn", "dtype": "float32", "shape": [4, 25]},
        {"op": "randn", "dtype": "float64", "shape": [100]},
        {"op": "randn", "dtype": "float32", "shape": [1000]},
        {"op": "randn", "dtype": "float64", "shape": [1000]},
        {"op": "randn", "dtype": "float32", "shape": [4099]},
        {"op": "uniform_", "dtype": "float32", "shape": [64, 3], "args": {"low": -b, "high": b}},
        {"op": "uniform_", "dtype": "float64", "shape": [100], "args": {"low": -b, "high": b}},
        {"op": "uniform_", "dtype": "float32", "shape": [50], "args": {"low": -3.7, "high": 11.3}},
        {"op": "normal_", "dtype": "float32", "shape": [7], "args": {"mean": 0.3, "std": kaiming_std}},
        {"op": "normal_", "dtype": "float64", "shape": [7], "args": {"mean": 0.3, "std": kaiming_std}},
        {"op": "normal_", "dtype": "float32", "shape": [100], "args": {"mean": -0.1, "std": 1.3}},
        {"op": "normal_", "dtype": "float64", "shape": [100], "args": {"mean": -0.1, "std": 1.3}},
        {"op": "randint", "dtype": "int64", "shape": [20], "args": {"low": -5, "high": 10}},
        {"op": "randint", "dtype": "int64", "shape": [3, 4], "args": {"low": 0, "high": 2**33}},
        {"op": "randperm", "dtype": "int64", "args": {"n": 10}},
        {"op": "randperm", "dtype": "int64", "args": {"n": 1000}},
        {"op": "bernoulli_", "dtype": "float32", "shape": [50], "args": {"p": 0.3}},
        {"op": "bernoulli_", "dtype": "float64", "shape": [50], "args": {"p": 0.7}},
        {"op": "randn", "dtype": "float64", "shape": [3]},
        {"op": "exponential_", "dtype": "float32", "shape": [20], "args": {"lambd": 1.0}},
        {"op": "exponential_", "dtype": "float64", "shape": [30], "args": {"lambd": 2.5}},
        # multinomial: "dtype" is the probabilities'; the result is int64.
        {"op": "multinomial", "dtype": "float32", "args": {"probs": [0.1, 0.2, 0.3, 0.4], "num_samples": 1,
                                                           "replacement": False}},
        {"op": "multinomial", "dtype": "float32", "args": {"probs": [1, 5, 0, 2, 7, 3], "num_samples": 4,
                                                           "replacement": False}},
        {"op": "multinomial", "dtype": "float64", "args": {"probs": [[0.5, 0.25, 0.25], [0, 1, 3]],
                                                           "num_samples": 3, "replacement": False}},
        {"op": "multinomial", "dtype": "float32", "args": {"probs": [0.1, 0.2, 0.3, 0.4], "num_samples": 30,
                                                           "replacement": True}},
        {"op": "multinomial", "dtype": "float64", "args": {"probs": [[2, 0, 1, 1], [1, 1, 1, 1]],
                                                           "num_samples": 12, "replacement": True}},
    ]


def views_steps():
    return [
        # A transposed (5, 3) matrix and a permuted (2, 3, 4) block: filled in memory order.
        {"op": "uniform_", "dtype": "float32", "shape": [3, 5],
         "view": {"base_numel": 15, "strides": [1, 3]}, "args": {"low": -1.0, "high": 1.0}},
        {"op": "normal_", "dtype": "float64", "shape": [5, 4],  # non-contiguous: one at a time
         "view": {"base_numel": 20, "strides": [1, 5]}, "args": {"mean": 0.0, "std": 1.0}},
        {"op": "normal_", "dtype": "float32", "shape": [4, 2, 3],
         "view": {"base_numel": 24, "strides": [1, 12, 4]}, "args": {"mean": 1.0, "std": 0.5}},
        {"op": "bernoulli_", "dtype": "float64", "shape": [3, 4, 2],
         "view": {"base_numel": 24, "strides": [4, 1, 12]}, "args": {"p": 0.4}},
        # Every other column of a (6, 8) matrix: gaps between elements.
        {"op": "uniform_", "dtype": "float64", "shape": [6, 4],
         "view": {"base_numel": 48, "strides": [8, 2]}, "args": {"low": 0.0, "high": 2.0}},
    ]


def linear_steps():
    steps = []
    for fan_in, fan_out in [(3, 64), (784, 128)]:
        wb, bb = kaiming_bounds(fan_in)
        steps.append({"op": "uniform_", "dtype": "float32", "shape": [fan_out, fan_in],
                      "args": {"low": -wb, "high": wb}, "from": "nn.Linear(%d, %d).weight" % (fan_in, fan_out)})
        steps.append({"op": "uniform_", "dtype": "float32", "shape": [fan_out],
                      "args": {"low": -bb, "high": bb}, "from": "nn.Linear(%d, %d).bias" % (fan_in, fan_out)})
    return steps


def main():
    streams = []

    def add(name, seed, steps, explicit_generator=False):
        gen = None
        if explicit_generator:
            gen = torch.Generator().manual_seed(seed)
        else:
            torch.manual_seed(seed)
        out = []
        for step in steps:
            out.append(record(step, run(step, gen)))
        streams.append({"name": name, "seed": seed, "explicit_generator": explicit_generator,
                        "steps": out})

    for seed in [0, 1, 42, 2**32 + 7]:
        add("sequence", seed, sequence_steps())
    add("sequence_on_generator", 123456789, sequence_steps(), explicit_generator=True)
    add("views", 3, views_steps())
    add("large", 5, [
        {"op": "randn", "dtype": "float32", "shape": [100000]},
        {"op": "randn", "dtype": "float64", "shape": [10007]},
        {"op": "randperm", "dtype": "int64", "args": {"n": 100000}},
        {"op": "rand", "dtype": "float64", "shape": [10000]},
    ])

    # nn.Linear's initialisation, recorded as the uniform_ calls it makes.
    torch.manual_seed(0)
    lin_steps = linear_steps()
    recorded = []
    for i in range(0, len(lin_steps), 2):
        w, b = lin_steps[i], lin_steps[i + 1]
        lin = torch.nn.Linear(w["shape"][1], w["shape"][0])
        recorded.append(record(w, lin.weight.detach()))
        recorded.append(record(b, lin.bias.detach()))
    streams.append({"name": "nn_linear_init", "seed": 0, "explicit_generator": False,
                    "steps": recorded})

    # The float32 randn path differs between capabilities; these goldens need AVX2's.
    capability = re.search(r"CPU capability usage: (\w+)", torch.__config__.show())
    header = {
        "generated_by": "tests/golden/gen_random.py, torch %s, CPU capability %s"
                        % (torch.__version__, capability.group(1) if capability else "?"),
        "full_limit": FULL_LIMIT,
    }
    # One step per line, so that a diff of a regenerated file stays readable.
    out = sys.stdout
    out.write("{\n")
    for key, value in header.items():
        out.write("%s: %s,\n" % (json.dumps(key), json.dumps(value)))
    out.write('"streams": [\n')
    for i, stream in enumerate(streams):
        steps = stream.pop("steps")
        out.write(json.dumps(stream)[:-1] + ', "steps": [\n')
        out.write(",\n".join("  " + json.dumps(step) for step in steps))
        out.write("\n]}" + ("," if i + 1 < len(streams) else "") + "\n")
    out.write("]}\n")


if __name__ == "__main__":
    main()
