"""Every notebook in notebooks/ runs top to bottom, headless (nbclient, as `jupyter nbconvert
--execute` does), and its key numbers are the course's: checked against what the course's own
notebooks printed, against numpy running the same protocol (tests/golden/), and against the
calculus of the formulas. notebooks/ is also what tools/make_notebooks.py writes (one source for
the Spanish and English versions)."""
import json
import math
import os
import subprocess
import sys

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NOTEBOOKS = sorted(os.path.join(lang, n) for lang in ("es", "en")
                   for n in os.listdir(os.path.join(ROOT, "notebooks", lang)) if n.endswith(".ipynb"))
MARK = "__nabla_results__"


@pytest.fixture(scope="module", autouse=True)
def kernel_imports_the_nabla_under_test():
    """The kernels are other processes: they import the nabla this process imports (the build
    tree's, per conftest.py, or the installed one)."""
    import nabla
    parent = os.path.dirname(os.path.dirname(os.path.abspath(nabla.__file__)))
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = parent + (os.pathsep + old if old else "")
    yield
    if old is None:
        del os.environ["PYTHONPATH"]
    else:
        os.environ["PYTHONPATH"] = old


def execute(rel):
    """Runs the notebook in a fresh kernel (this Python, with this process's environment, so the
    kernel imports the nabla under test) and returns its results dict and the executed notebook."""
    nb = nbformat.read(os.path.join(ROOT, "notebooks", rel), as_version=4)
    name = "resultados" if rel.startswith("es") else "results"
    nb.cells.append(nbformat.v4.new_code_cell(f"import json\nprint({MARK!r} + json.dumps({name}))"))
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": ROOT}}).execute()
    for output in nb.cells[-1].outputs:
        text = output.get("text", "")
        if MARK in text:
            return json.loads(text.split(MARK, 1)[1]), nb
    raise AssertionError(f"{rel}: the last cell printed no results")


def images(nb):
    """How many pictures the notebook's outputs show inline (PNG/GIF/SVG in HTML or as images)."""
    count = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            count += sum(1 for k in data if k.startswith("image/"))
            html = data.get("text/html", "")
            count += html.count("<img ") + html.count("<svg")
    return count


def test_notebooks_are_what_the_generator_writes():
    p = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "make_notebooks.py"), "--check"],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert len(NOTEBOOKS) == 8  # four experiments, in Spanish and in English


@pytest.mark.parametrize("rel", [n for n in NOTEBOOKS if "01_" in n])
def test_derivatives_notebook(rel):
    r, nb = execute(rel)
    assert r["derivada_autograd"] == 30.0 and r["segunda_derivada"] == 18.0
    # f = x3·tanh(w4·σ(w3·x1)) at x1=-1.5, w3=0.5, w4=2, x3=1, differentiated by hand.
    x1, w3, w4, x3 = -1.5, 0.5, 2.0, 1.0
    s = 1 / (1 + math.exp(-w3 * x1))
    t = math.tanh(w4 * s)
    dt = 1 - t * t
    grad = {"x3": t, "w4": x3 * dt * s, "w3": x3 * dt * w4 * s * (1 - s) * x1, "x1": x3 * dt * w4 * s * (1 - s) * w3}
    for k, v in grad.items():
        assert r["grad_traza"][k] == pytest.approx(v, rel=1e-12), k
    xs = r["puntos_criticos"]
    assert len(xs) == 3 and all(abs(4 * x ** 3 - 6 * x + 1) < 1e-9 for x in xs)
    assert images(nb) >= 5  # the graph, and explore's four pictures


@pytest.mark.parametrize("rel", [n for n in NOTEBOOKS if "02_" in n])
def test_xor_notebook_prints_what_the_course_printed(rel):
    r, nb = execute(rel)
    printed = [0.4978, 0.1119, 0.0504, 0.0366, 0.0300, 0.0259, 0.0231, 0.0211, 0.0195, 0.0182]  # notebook 001
    assert [round(e, 4) for e in r["errores"]] == printed
    assert r["salida_final"] == pytest.approx([0.01890475, 0.98371361, 0.98369334, 0.01686123], abs=5e-9)
    # The notebook's own numpy loop (manual backpropagation), run here: the same numbers to rounding.
    np.random.seed(42)
    W1, b1, W2, b2 = np.random.rand(2, 2), np.random.rand(1, 2), np.random.rand(2, 1), np.random.rand(1, 1)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
    y = np.array([[0], [1], [1], [0]], float)
    sig = lambda z: 1 / (1 + np.exp(-z))
    for _ in range(10000):
        A1 = sig(X @ W1 + b1)
        A2 = sig(A1 @ W2 + b2)
        dA2 = (y - A2) * A2 * (1 - A2)
        dA1 = dA2 @ W2.T * A1 * (1 - A1)
        W2, b2 = W2 + 0.5 * A1.T @ dA2, b2 + 0.5 * dA2.sum(0, keepdims=True)
        W1, b1 = W1 + 0.5 * X.T @ dA1, b1 + 0.5 * dA1.sum(0, keepdims=True)
    assert r["salida_final"] == pytest.approx(A2.ravel().tolist(), rel=1e-10)
    assert images(nb) >= 2  # the demo's pictures


@pytest.mark.parametrize("rel", [n for n in NOTEBOOKS if "03_" in n])
def test_residual_notebook_is_the_numpy_protocol(rel):
    r, nb = execute(rel)
    with open(os.path.join(ROOT, "tests", "golden", "backprop_notebook_golden.json")) as f:
        golden = json.load(f)["runs"]
    for mine, theirs in (("relu", "relu_mean"), ("sigmoid", "sigmoid_mean")):
        g = golden[theirs]
        exact = g["train_loss_exact"]
        assert r[mine]["train_loss"][:len(exact)] == pytest.approx(exact, rel=1e-10), mine
        assert r[mine]["grad_norms_first_step"] == pytest.approx(g["grad_norms_first_step"], rel=1e-10)
        lo, hi = g["spread"]["val_accuracy"]
        assert lo <= r[mine]["val_accuracy"] <= hi, mine
    assert images(nb) >= 2


@pytest.mark.parametrize("rel", [n for n in NOTEBOOKS if "04_" in n])
def test_dense_notebook_matches_pytorch(rel):
    r, _ = execute(rel)
    with open(os.path.join(ROOT, "tests", "golden", "dense_configs_golden.json")) as f:
        golden = json.load(f)
    check_dense_against_golden(r, golden)


def check_dense_against_golden(r, golden):
    """As tests/demo/dense_configs_test.cpp judges nabla's C++ run: the parameter counts exactly;
    every epoch's training and validation MSE, and the test MSE, within max(1e-4 relative, three
    times the spread that rounding alone causes in PyTorch's own runs (float64, one-ulp nudges of
    the parameters or the features), the spread of an epoch being the largest seen up to it)."""
    def tol(v, spread):
        return max(1e-4 * abs(v), 3 * spread)

    for g in golden["configs"]:
        mine = r[g["name"]]
        assert mine["params"] == g["params"], g["name"]
        for key in ("train_mse", "val_mse"):
            reach = 0.0
            series = mine["train_loss" if key == "train_mse" else "val_loss"]
            assert len(series) == len(g[key])
            for e, (a, b) in enumerate(zip(series, g[key])):
                reach = max(reach, g["spread"][key][e])
                assert abs(a - b) <= tol(b, reach), f"{g['name']} {key} epoch {e + 1}: {a} vs PyTorch {b}"
        assert abs(mine["test_mse"] - g["test_mse"]) <= tol(g["test_mse"], g["spread"]["test_mse"]), g["name"]
        assert r["predict_mean_test_mse"] == pytest.approx(g["mean_predictor_test_mse"], rel=1e-5)
