#!/usr/bin/python3
"""The backpropagation notebook's protocol (course notebook 1b_retropropagacion, as notebook 002 §2
modifies it), run in numpy exactly, for the four runs of `nabla demo residual-vs-sigmoid` and
`nabla demo bce-mean-vs-sum`: {ReLU + residual, sigmoid} x {mean BCE, summed BCE}.

Protocol (issue #15, item 3):
  np.random.seed(42); X = np.random.randn(1000, 2); y = XOR(X[:,0] > 0, X[:,1] > 0)
  train_test_split(X, y, test_size=0.2, random_state=42)      -> 800 training, 200 validation rows
  np.random.seed(0); per layer in order W = sqrt(1/fan_in) * randn(fan_in, fan_out), b = 0
  layers 2 -> 10 -> 10 -> 10 -> 1; hidden ReLU (Z4 = A3 W3 + b3 + A2) or sigmoid (no skip); sigmoid out
  each epoch np.random.permutation(800), 50 batches of 16; alpha = 0.1; 500 epochs; float64
  loss: eq. 5 of the homework, -(1/n) sum[y log yhat + (1 - y) log(1 - yhat)] (its log(1 - y) read
  as log(1 - yhat)), no clipping or epsilon (the homework has none), evaluated from the logit (see
  bce()); "sum": the same without 1/n.
  backward: the notebook's manual formulas, delta5 = (yhat - y) / n (mean) or yhat - y (sum).
  train_loss[e]: mean over the epoch's batches of the batch loss before its update.
  val_accuracy: percent of the 200 validation rows with (yhat > 0.5) == y, after training.
  grad_norms_first_step: Frobenius norms of dW1..dW4 on the first batch of epoch 1.

Chaos: each run is repeated with one starting weight (W1[0, 0]) moved by one ulp up and one ulp
down, and with W4[0, 0] moved likewise. `exact_epochs` is the number of leading epochs on which all
those perturbed trajectories stay within 1e-10 relative of the unperturbed one; up to there nabla
must match to 1e-10; beyond it only the outcome is compared, within `spread` (the range of the final
numbers over the unperturbed and the four perturbed runs, widened by `margin`).

Run: /usr/bin/python3 tests/golden/gen_backprop_notebook.py > tests/golden/backprop_notebook_golden.json
"""
import json
import sys

import numpy as np
from sklearn.model_selection import train_test_split

EPOCHS = 500
BATCH = 16
ALPHA = 0.1
TOL = 1e-10


def data():
    np.random.seed(42)
    X = np.random.randn(1000, 2)
    y = np.logical_xor(X[:, 0] > 0, X[:, 1] > 0).astype(np.float64).reshape(-1, 1)
    X_tr, X_val, y_tr, y_val = train_test_split(X, y, test_size=0.2, random_state=42)
    return X_tr, X_val, y_tr, y_val


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def forward(params, X, net):
    W1, b1, W2, b2, W3, b3, W4, b4 = params
    Z2 = X @ W1 + b1
    A2 = np.maximum(0.0, Z2) if net == "relu" else sigmoid(Z2)
    Z3 = A2 @ W2 + b2
    A3 = np.maximum(0.0, Z3) if net == "relu" else sigmoid(Z3)
    Z4 = A3 @ W3 + b3
    if net == "relu":
        Z4 = Z4 + A2
    A4 = np.maximum(0.0, Z4) if net == "relu" else sigmoid(Z4)
    Z5 = A4 @ W4 + b4
    return Z2, A2, Z3, A3, Z4, A4, Z5


def bce(y, z, reduction):
    # Eq. 5 from the logit z (yhat = sigmoid(z)), as PyTorch's binary_cross_entropy_with_logits
    # writes it: (1 - y) z + log(e^-m + e^(-z-m)) + m, m = max(-z, 0). The same number as
    # -[y log yhat + (1 - y) log(1 - yhat)] in exact arithmetic, but finite where yhat rounds to 0 or 1
    # (the ReLU nets reach z > 37 within a few epochs: log(1 - yhat) would be -inf and the loss NaN).
    m = np.maximum(-z, 0.0)
    s = np.sum((1.0 - y) * z + (np.log(np.exp(-m) + np.exp(-z - m)) + m))
    return s / y.shape[0] if reduction == "mean" else s


def run(net, reduction, X_tr, X_val, y_tr, y_val, nudge=None):
    np.random.seed(0)
    sizes = [2, 10, 10, 10, 1]
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        params.append(np.sqrt(1.0 / fan_in) * np.random.randn(fan_in, fan_out))
        params.append(np.zeros((1, fan_out)))
    if nudge is not None:
        layer, direction = nudge
        W = params[2 * layer]
        W[0, 0] = np.nextafter(W[0, 0], direction * np.inf)
    d = lambda Z, A: (Z > 0).astype(np.float64) if net == "relu" else A * (1.0 - A)
    losses, norms = [], None
    n = X_tr.shape[0]
    for epoch in range(EPOCHS):
        perm = np.random.permutation(n)
        batch_losses = []
        for k in range(n // BATCH):
            idx = perm[k * BATCH:(k + 1) * BATCH]
            X, y = X_tr[idx], y_tr[idx]
            W1, b1, W2, b2, W3, b3, W4, b4 = params
            Z2, A2, Z3, A3, Z4, A4, Z5 = forward(params, X, net)
            yhat = sigmoid(Z5)
            batch_losses.append(bce(y, Z5, reduction))
            delta5 = (yhat - y) / X.shape[0] if reduction == "mean" else yhat - y
            dW4 = A4.T @ delta5
            db4 = delta5.sum(axis=0, keepdims=True)
            delta4 = (delta5 @ W4.T) * d(Z4, A4)
            dW3 = A3.T @ delta4
            db3 = delta4.sum(axis=0, keepdims=True)
            delta3 = (delta4 @ W3.T) * d(Z3, A3)
            dW2 = A2.T @ delta3
            db2 = delta3.sum(axis=0, keepdims=True)
            back2 = delta3 @ W2.T + delta4 if net == "relu" else delta3 @ W2.T
            delta2 = back2 * d(Z2, A2)
            dW1 = X.T @ delta2
            db1 = delta2.sum(axis=0, keepdims=True)
            if norms is None:
                norms = [float(np.linalg.norm(g)) for g in (dW1, dW2, dW3, dW4)]
            grads = [dW1, db1, dW2, db2, dW3, db3, dW4, db4]
            params = [p - ALPHA * g for p, g in zip(params, grads)]
        losses.append(float(np.mean(batch_losses)))
    yhat = sigmoid(forward(params, X_val, net)[-1])
    acc = float(100.0 * np.mean((yhat > 0.5) == (y_val > 0.5)))
    return losses, norms, acc


def rel(a, b):
    if not (np.isfinite(a) and np.isfinite(b)):
        return 0.0 if a == b or (np.isnan(a) and np.isnan(b)) else np.inf
    return abs(a - b) / max(abs(a), abs(b), 1e-300)


def main():
    X_tr, X_val, y_tr, y_val = data()
    out = {
        "protocol": "see the docstring of tests/golden/gen_backprop_notebook.py",
        "numpy": np.__version__,
        "epochs": EPOCHS, "batch": BATCH, "alpha": ALPHA, "tolerance": TOL,
        "data": {
            "train_rows": int(X_tr.shape[0]), "val_rows": int(X_val.shape[0]),
            "train_class1": int(y_tr.sum()), "val_class1": int(y_val.sum()),
            "X_train_first": X_tr[:3].ravel().tolist(), "X_val_first": X_val[:3].ravel().tolist(),
            "X_train_sum": float(X_tr.sum()), "X_val_sum": float(X_val.sum()),
        },
        "runs": {},
    }
    for net in ("relu", "sigmoid"):
        for reduction in ("mean", "sum"):
            name = f"{net}_{reduction}"
            losses, norms, acc = run(net, reduction, X_tr, X_val, y_tr, y_val)
            exact = EPOCHS
            finals, accs = [losses[-1]], [acc]
            for nudge in ((0, 1), (0, -1), (3, 1), (3, -1)):
                l2, _, a2 = run(net, reduction, X_tr, X_val, y_tr, y_val, nudge)
                first = next((e for e in range(EPOCHS) if rel(losses[e], l2[e]) > TOL), EPOCHS)
                exact = min(exact, first)
                finals.append(l2[-1])
                accs.append(a2)
            print(f"{name}: exact {exact} epochs, final loss {losses[-1]:.6g} "
                  f"[{min(finals):.6g}, {max(finals):.6g}], val acc {acc} [{min(accs)}, {max(accs)}]",
                  file=sys.stderr)
            out["runs"][name] = {
                "train_loss_exact": losses[:exact],
                "train_loss_every10": losses[9::10],
                "final_train_loss": losses[-1],
                "grad_norms_first_step": norms,
                "val_accuracy": acc,
                "exact_epochs": exact,
                "spread": {"final_train_loss": [min(finals), max(finals)], "val_accuracy": [min(accs), max(accs)]},
            }
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
