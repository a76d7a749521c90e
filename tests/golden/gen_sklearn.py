#!/usr/bin/python3
"""Golden values for tests/data/sklearn_test.cpp, from Debian's scikit-learn (1.2.1) and numpy.

Run:
    /usr/bin/python3 tests/golden/gen_sklearn.py > tests/golden/sklearn_golden.json

* train_test_split(np.arange(n), test_size=f, random_state=rs) for several (n, f, rs): both
  index lists.
* load_diabetes(): shape, FNV-1a hashes of X and y as float64 bytes (row-major), a few rows.
* The dense-network homework's split of Diabetes (test 0.3, then the training part again with
  test 0.2, random_state=42 both times) and StandardScaler fitted on its 247 training rows: the
  row indices (into load_diabetes()'s rows), mean_, scale_ (population std), and the transformed
  train / validation / test features, every value (float64).
"""
import json
import struct
import sys

import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


def fnv1a64(values):
    h = 0xCBF29CE484222325
    for byte in struct.pack("<%dd" % len(values), *values):
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


SPLITS = [(442, 0.3, 42), (309, 0.2, 42), (10, 0.25, 0), (7, 0.5, 3), (100, 0.1, 1), (1000, 0.33, 2**32 - 1),
          (2, 0.5, 5), (443, 0.2, 12345)]


def splits():
    out = []
    for n, f, rs in SPLITS:
        train, test = train_test_split(np.arange(n), test_size=f, random_state=rs)
        out.append({"n": n, "test_size": f, "random_state": rs, "train": [int(v) for v in train],
                    "test": [int(v) for v in test]})
    return out


def diabetes():
    X, y = load_diabetes(return_X_y=True)
    return {"shape": list(X.shape), "x_fnv1a": fnv1a64(X.ravel().tolist()), "y_fnv1a": fnv1a64(y.tolist()),
            "rows": {str(i): X[i].tolist() + [float(y[i])] for i in (0, 1, 200, 441)}}


def protocol():
    X, y = load_diabetes(return_X_y=True)
    idx = np.arange(len(X))
    # The notebook's cells, with the row numbers carried along.
    X_train, X_test, y_train, y_test, i_train, i_test = train_test_split(X, y, idx, test_size=0.3, random_state=42)
    X_train, X_val, y_train, y_val, i_train, i_val = train_test_split(X_train, y_train, i_train, test_size=0.2,
                                                                      random_state=42)
    scaler = StandardScaler()
    X_train = scaler.fit_transform(X_train)
    X_val = scaler.transform(X_val)
    X_test = scaler.transform(X_test)
    return {"train_rows": [int(v) for v in i_train], "val_rows": [int(v) for v in i_val],
            "test_rows": [int(v) for v in i_test], "mean": scaler.mean_.tolist(), "scale": scaler.scale_.tolist(),
            "x_train": X_train.ravel().tolist(), "x_val": X_val.ravel().tolist(), "x_test": X_test.ravel().tolist(),
            "y_train_mean": float(np.mean(y_train)),
            "mean_predictor_test_mse": float(np.mean((y_test - np.mean(y_train)) ** 2))}


json.dump({"sklearn": __import__("sklearn").__version__, "numpy": np.__version__, "splits": splits(),
           "diabetes": diabetes(), "protocol": protocol()}, sys.stdout, separators=(",", ":"))
sys.stdout.write("\n")
