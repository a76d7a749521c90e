#!/usr/bin/python3
"""Golden values for tests/data/numpy_legacy_test.cpp, from numpy's legacy RandomState.

Run with Debian's numpy (1.24.2):
    /usr/bin/python3 tests/golden/gen_numpy_legacy.py > tests/golden/numpy_legacy_golden.json

For each seed, one RandomState(seed) stream (so the state carried between calls is checked):
raw 32-bit output over two regenerations of the 624-word state, rand and randn in odd and even
counts interleaved (the Gaussian cache kept across rand calls), randint over small, power-of-two,
2^32 and wider ranges (scalar and sized calls), then the state (hash of the 624 key words, pos,
has_gauss, cached gauss). Separately, permutation(n) for every n in 1..1000 from one stream
(hash of each prefix of runs every 100 n, full arrays for a few n), shuffle of a 1-D array and of a
2-D array's rows, and np.random.seed + np.random.* (the global RandomState). Long runs store their
first values, every STRIDE-th value and an FNV-1a hash of all their bytes (float64 or int64,
little-endian). 64-bit hashes are hex strings.
"""
import json
import struct
import sys

import numpy as np

SEEDS = [0, 1, 42, 12345, 2**31, 2**32 - 1]
HEAD = 8
STRIDE = 97


class Fnv:
    def __init__(self):
        self.h = 0xCBF29CE484222325

    def add(self, data):
        h = self.h
        for byte in data:
            h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
        self.h = h
        return self

    def hex(self):
        return "%016x" % self.h


def pack(values, kind):
    fmt = {"f8": "d", "i8": "q", "u4": "I"}[kind]
    return struct.pack("<%d%s" % (len(values), fmt), *values)


def run(values, kind):
    py = [float(v) if kind == "f8" else int(v) for v in values]
    return {"kind": kind, "n": len(py), "head": py[:HEAD], "every": py[::STRIDE],
            "fnv1a": Fnv().add(pack(py, kind)).hex()}


def state(rs):
    name, key, pos, has_gauss, gauss = rs.get_state()
    assert name == "MT19937"
    return {"key_fnv1a": Fnv().add(pack([int(k) for k in key], "u4")).hex(), "key0": int(key[0]),
            "pos": int(pos), "has_gauss": int(has_gauss), "gauss": float(gauss)}


# The calls made on each seed's stream, in order: (what, argument(s)).
RANGES = [(0, 10), (-5, 5), (0, 16), (0, 17), (3, 4), (0, 2**31), (-2**31, 2**31 - 1), (0, 2**32),
          (0, 2**32 + 1), (-7, 2**33 + 5), (-2**40, 2**40), (0, 2**62 + 12345)]
PLAN = [("raw", 1500), ("rand", 5), ("randn", 7), ("rand", 3), ("randn", 1), ("randn", 4), ("rand", 1),
        ("randn", 1), ("rand", 2), ("randn", 1001), ("randn", 1000)]
PLAN += [("randint", r, 1000) for r in RANGES]
PLAN += [("randint_scalar", r) for r in RANGES]
PLAN += [("randn", 3), ("rand", 101)]


def seed_case(seed):
    rs = np.random.RandomState(seed)
    fresh = state(rs)
    steps = []
    for step in PLAN:
        if step[0] == "raw":
            # The raw output, read through the legacy API: randint over [0, 2^32) takes one 32-bit draw.
            vals = rs.randint(0, 2**32, size=step[1], dtype=np.uint32)
            out = run(vals, "u4")
        elif step[0] == "rand":
            out = run(rs.rand(step[1]), "f8")
        elif step[0] == "randn":
            out = run(rs.randn(step[1]), "f8")
        elif step[0] == "randint":
            (low, high), n = step[1], step[2]
            out = run(rs.randint(low, high, size=n), "i8")
        else:
            low, high = step[1]
            out = {"value": int(rs.randint(low, high))}
        out["call"] = step[0]
        if len(step) > 1:
            out["arg"] = list(step[1]) if isinstance(step[1], tuple) else step[1]
        out["state"] = state(rs)
        steps.append(out)
    return {"seed": seed, "fresh": fresh, "steps": steps}


def permutations(seed):
    rs = np.random.RandomState(seed)
    fnv = Fnv()
    checkpoints = []
    full = {}
    for n in range(1, 1001):
        p = rs.permutation(n)
        assert p.dtype == np.int64
        fnv.add(pack([int(v) for v in p], "i8"))
        if n % 100 == 0 or n in (1, 2, 3, 10):
            checkpoints.append({"n": n, "fnv1a": fnv.hex()})
        if n in (1, 2, 5, 13, 442):
            full[str(n)] = [int(v) for v in p]
    return {"seed": seed, "checkpoints": checkpoints, "full": full, "state": state(rs)}


def shuffles():
    rs = np.random.RandomState(7)
    a = np.arange(20, dtype=np.int64) * 3 - 11
    rs.shuffle(a)
    m = np.arange(30, dtype=np.float64).reshape(10, 3) * 0.5
    rs.shuffle(m)
    # np.random.seed + the global functions: the same generator.
    np.random.seed(42)
    g = {"rand": np.random.rand(3).tolist(), "randn": np.random.randn(3).tolist(),
         "randint": [int(v) for v in np.random.randint(0, 100, size=5)],
         "permutation": [int(v) for v in np.random.permutation(10)]}
    return {"seed": 7, "shuffle": [int(v) for v in a], "shuffle_rows": m.ravel().tolist(), "state": state(rs),
            "global_seed": 42, "global": g}


json.dump({"numpy": np.__version__, "stride": STRIDE, "cases": [seed_case(s) for s in SEEDS],
           "permutations": [permutations(s) for s in (0, 42, 2**32 - 1)], "shuffles": shuffles()},
          sys.stdout, indent=None, separators=(",", ":"))
sys.stdout.write("\n")
