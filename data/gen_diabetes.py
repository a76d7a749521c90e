#!/usr/bin/python3
"""Writes data/diabetes.csv: scikit-learn's load_diabetes() (scaled=True), every value exactly.

Run with Debian's scikit-learn (1.2.1), which ships the data inside the package (no network):
    /usr/bin/python3 data/gen_diabetes.py > data/diabetes.csv

Columns age,sex,bmi,bp,s1,s2,s3,s4,s5,s6,target; 442 rows in sklearn's order. Each float is
written with repr(), the shortest text that reads back as the same float64.
"""
import sys

from sklearn.datasets import load_diabetes

bunch = load_diabetes()
assert bunch.data.shape == (442, 10) and bunch.target.shape == (442,)
out = sys.stdout
out.write(",".join(list(bunch.feature_names) + ["target"]) + "\n")
for row, target in zip(bunch.data, bunch.target):
    out.write(",".join(repr(float(v)) for v in list(row) + [target]) + "\n")
