#!/usr/bin/python3
"""Golden values for tests/data/numpy_random_test.cpp, from numpy's default generator.

Run with Debian's numpy (1.24.2):
    /usr/bin/python3 tests/golden/gen_numpy_random.py > tests/golden/numpy_random_golden.json

For each seed: SeedSequence(seed)'s pool and generate_state, PCG64's state after seeding,
the first random_raw() values, then from a fresh default_rng(seed) N_NORMAL standard normals
followed by N_UNIFORM random() values and N_SCALED normal(scale=0.5) values (one stream, so the
state carried between calls is checked too). Long runs store their first values, every STRIDE-th
value (to locate a first difference) and an FNV-1a hash of all their bytes (exact comparison),
plus the PCG64 state afterwards, which also checks how many 64-bit draws the ziggurat consumed.
64-bit integers are hex strings (JSON numbers are doubles). Last, the data of seed 000 §4 and §7
exactly as the notebooks draw and label them.
"""
import json
import struct
import sys

import numpy as np

SEEDS = [0, 3, 7, 42, 12345678901234567, 2**64 - 1]
N_NORMAL = 100_000
N_UNIFORM = 10_000
N_SCALED = 1_000
HEAD = 16
STRIDE = 1000


def fnv1a64(values):
    h = 0xCBF29CE484222325
    for byte in struct.pack("<%dd" % len(values), *values):
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def run(values):
    values = [float(v) for v in values]
    return {"n": len(values), "head": values[:HEAD], "stride": STRIDE, "every": values[::STRIDE],
            "fnv1a": fnv1a64(values)}


def pcg_state(bitgen):
    s = bitgen.state["state"]
    return {"state": "%032x" % s["state"], "inc": "%032x" % s["inc"]}


def seed_case(seed):
    ss = np.random.SeedSequence(seed)
    bitgen = np.random.PCG64(ss)
    case = {
        "seed": "%x" % seed,
        "pool": [int(v) for v in ss.pool],
        "generate_state": [int(v) for v in ss.generate_state(8)],
        "pcg64": pcg_state(bitgen),
        "random_raw": ["%016x" % int(v) for v in bitgen.random_raw(8)],
    }
    rng = np.random.default_rng(seed)
    normals = rng.standard_normal(N_NORMAL)
    case["standard_normal"] = run(normals)
    case["tail"] = int(np.sum(np.abs(normals) > 3.6541528853610088))  # draws from the ziggurat's tail
    case["state_after_normal"] = pcg_state(rng.bit_generator)
    case["random"] = run(rng.random(N_UNIFORM))
    case["scaled_normal"] = run(rng.normal(scale=0.5, size=N_SCALED))
    case["state_after"] = pcg_state(rng.bit_generator)
    return case


def seed000():
    # §4 "Vamos con las derivadas parciales": the notebook's lines, verbatim.
    rng = np.random.default_rng(7)
    m = 60
    X = rng.normal(size=(m, 2))
    true_w = np.array([[2.0, -1.0]])
    true_b = np.array([0.5])
    Y = 1.0/(1.0+np.exp(-(X @ true_w.T + true_b))) > 0.5
    Y = Y.astype(float)
    W = rng.normal(scale=0.5, size=(1, 2))
    s4 = {"seed": 7, "label": "sigmoid(2*x1 - x2 + 0.5) > 0.5", "x": X.ravel().tolist(), "y": Y.ravel().tolist(),
          "w": W.ravel().tolist()}
    # §7 "Gradientes de pesos y bias en capas ocultas".
    rng = np.random.default_rng(3)
    X = rng.normal(size=(80, 2))
    Y = (X[:,0]**2 + X[:,1]**2 > 1.3).astype(float).reshape(-1,1)
    s7 = {"seed": 3, "label": "x1^2 + x2^2 > 1.3", "x": X.ravel().tolist(), "y": Y.ravel().tolist()}
    return {"section4": s4, "section7": s7}


json.dump({"numpy": np.__version__, "cases": [seed_case(s) for s in SEEDS], "seed000": seed000()}, sys.stdout,
          indent=1)
sys.stdout.write("\n")
