#!/usr/bin/python3
"""Writes notebooks/es/*.ipynb and notebooks/en/*.ipynb: the course's experiments written with nabla's
Python module, the Spanish and English versions from one source (this file), so the two never drift.
Code cells are the same in both languages but for their comments. Each notebook ends with a cell
that gathers its key numbers in a dict (`resultados` / `results`); tests/python/test_notebooks.py
executes every notebook headless and checks those numbers against numpy / PyTorch / the notebooks.

    /usr/bin/python3 tools/make_notebooks.py          # rewrite notebooks/
    /usr/bin/python3 tools/make_notebooks.py --check  # exit 1 if notebooks/ is not what this writes
"""
import os
import sys

import nbformat

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def md(es, en):
    return ("md", {"es": es, "en": en})


def code(text, **comments):
    """A code cell; {es_x}/{en_x} placeholders are filled from comments x=(es, en)."""
    return ("code", {lang: text.format(**{k: v[i] for k, v in comments.items()})
                     for i, lang in enumerate(("es", "en"))})


RESULTS = {"es": "resultados", "en": "results"}

NOTEBOOKS = {}

# ---------------------------------------------------------------------------------------------
NOTEBOOKS["01_derivadas_y_regla_de_la_cadena"] = ("01_derivatives_and_chain_rule", [
    md("""# Derivadas, regla de la cadena y diferenciación automática con nabla

Libretas 000 y 001 del curso: la derivada de una función compuesta por la regla de la cadena, la
misma derivada calculada por **diferenciación automática** (autograd), derivadas de segundo orden, y
la traza completa de las pasadas hacia adelante y hacia atrás de una fórmula.

nabla se usa como PyTorch: la única línea distinta es `import nabla as torch`.""",
       """# Derivatives, the chain rule and automatic differentiation with nabla

Course notebooks 000 and 001: the derivative of a composite function by the chain rule, the same
derivative by **automatic differentiation** (autograd), second derivatives, and the full trace of
the forward and backward passes of a formula.

nabla is used as PyTorch is: the one different line is `import nabla as torch`."""),
    code("""import nabla as torch   # {c}
print(torch.__version__)""", c=("en lugar de: import torch", "instead of: import torch")),
    md("""## La regla de la cadena: $f(x) = (3x+2)^2$

Con $u = 3x + 2$: $\\frac{df}{dx} = \\frac{df}{du}\\cdot\\frac{du}{dx} = 2u \\cdot 3 = 6(3x+2)$. En $x = 1$: $6 \\cdot 5 = 30$.""",
       """## The chain rule: $f(x) = (3x+2)^2$

With $u = 3x + 2$: $\\frac{df}{dx} = \\frac{df}{du}\\cdot\\frac{du}{dx} = 2u \\cdot 3 = 6(3x+2)$. At $x = 1$: $6 \\cdot 5 = 30$."""),
    code("""x = torch.tensor(1.0, requires_grad=True)
f = (3 * x + 2) ** 2
f.backward()
print("f(1) =", f.item(), "  df/dx por autograd =" if {es} else "  df/dx by autograd =", x.grad.item(), "  6(3x+2) =", 6 * (3 * 1.0 + 2))
derivada_autograd = x.grad.item()""".replace("{es}", "{lang_es}"), lang_es=("True", "False")),
    md("""## Segunda derivada: autograd de autograd

`torch.autograd.grad(..., create_graph=True)` devuelve la derivada como parte del grafo, así que se
puede derivar otra vez: $\\frac{d^2f}{dx^2} = 18$.""",
       """## Second derivative: autograd of autograd

`torch.autograd.grad(..., create_graph=True)` returns the derivative as part of the graph, so it can
be differentiated again: $\\frac{d^2f}{dx^2} = 18$."""),
    code("""x = torch.tensor(1.0, requires_grad=True)
f = (3 * x + 2) ** 2
(df,) = torch.autograd.grad(f, x, create_graph=True)
(d2f,) = torch.autograd.grad(df, x)
print("f'(1) =", df.item(), "  f''(1) =", d2f.item())
segunda_derivada = d2f.item()"""),
    md("""## La traza de una fórmula

`nabla.trace` muestra cada nodo del grafo: su valor hacia adelante, su adjunto hacia atrás, cada
derivada local y cada producto de la regla de la cadena, y dibuja el grafo. Devuelve los números.""",
       """## The trace of a formula

`nabla.trace` shows every node of the graph: its forward value, its backward adjoint, every local
derivative and every chain-rule product, and draws the graph. It returns the numbers."""),
    code("""import nabla
traza = nabla.trace("x3*tanh(w4*sigmoid(w3*x1))", x1=-1.5, w3=0.5, w4=2, x3=1, lang="{lang}")
traza["grad"]""", lang=("es", "en")),
    md("""## El paisaje de una función: $f(x) = x^4 - 3x^2 + x$

`nabla.explore` encuentra los puntos críticos con $f'$ y $f''$ (autograd de segundo orden), sigue el
descenso por gradiente y anima la tangente.""",
       """## The landscape of a function: $f(x) = x^4 - 3x^2 + x$

`nabla.explore` finds the critical points with $f'$ and $f''$ (second-order autograd), follows
gradient descent and animates the tangent."""),
    code("""paisaje = nabla.explore("x^4 - 3*x^2 + x", from_=-2, to=2, start=1.5, lr=0.05, frames=30, lang="{lang}")
[(round(p["x"], 4), p["kind"]) for p in paisaje["critical_points"]]""", lang=("es", "en")),
    code("""{r} = {{
    "derivada_autograd": derivada_autograd,
    "segunda_derivada": segunda_derivada,
    "grad_traza": traza["grad"],
    "puntos_criticos": [p["x"] for p in paisaje["critical_points"]],
}}
{r}""", r=("resultados", "results")),
])

# ---------------------------------------------------------------------------------------------
NOTEBOOKS["02_xor_retropropagacion"] = ("02_xor_backpropagation", [
    md("""# El problema del XOR con retropropagación (libreta 001)

La red 2-2-1 sigmoide de la libreta 001, con sus mismos pesos iniciales (`np.random.seed(42)`,
`np.random.rand`), tasa de aprendizaje 0.5 y 10 000 épocas. La libreta calcula el gradiente a mano;
aquí lo calcula autograd a partir de la pérdida $\\frac12\\sum (y - \\hat y)^2$, cuyo gradiente es
exactamente el de la libreta. Los errores impresos son los mismos que imprimió la libreta.""",
       """# The XOR problem with backpropagation (notebook 001)

Notebook 001's 2-2-1 sigmoid network, with its very starting weights (`np.random.seed(42)`,
`np.random.rand`), learning rate 0.5 and 10 000 epochs. The notebook computes the gradient by hand;
here autograd computes it from the loss $\\frac12\\sum (y - \\hat y)^2$, whose gradient is exactly the
notebook's. The printed errors are the ones the notebook printed."""),
    code("""import numpy as np
import nabla as torch

X = torch.tensor([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=torch.float64)
y = torch.tensor([[0], [1], [1], [0]], dtype=torch.float64)

np.random.seed(42)   # {c}
W1 = torch.tensor(np.random.rand(2, 2), requires_grad=True)
b1 = torch.tensor(np.random.rand(1, 2), requires_grad=True)
W2 = torch.tensor(np.random.rand(2, 1), requires_grad=True)
b2 = torch.tensor(np.random.rand(1, 1), requires_grad=True)
alpha, epochs = 0.5, 10000

errores = []
for epoch in range(epochs):
    A1 = torch.sigmoid(X @ W1 + b1)
    A2 = torch.sigmoid(A1 @ W2 + b2)
    loss = 0.5 * ((y - A2) ** 2).sum()
    loss.backward()
    with torch.no_grad():
        for p in (W1, b1, W2, b2):
            p -= alpha * p.grad
            p.grad.zero_()
    if epoch % 1000 == 0:
        error = (y - A2).abs().mean().item()
        errores.append(error)
        print(f"Epoch {{epoch}}: Error {{error:.4f}}")
print(A2.detach().numpy())""", c=("los pesos iniciales de la libreta", "the notebook's starting weights")),
    md("""La libreta imprimió `0.4978, 0.1119, 0.0504, …, 0.0182` y la salida final
`0.01890475, 0.98371361, 0.98369334, 0.01686123`: los mismos números.

`nabla.demo("xor")` explica el mismo experimento y dibuja la frontera de decisión mientras se forma:""",
       """The notebook printed `0.4978, 0.1119, 0.0504, …, 0.0182` and the final output
`0.01890475, 0.98371361, 0.98369334, 0.01686123`: the same numbers.

`nabla.demo("xor")` explains the same experiment and draws the decision boundary as it forms:"""),
    code("""import nabla
numeros_demo = nabla.demo("xor", lang="{lang}")""", lang=("es", "en")),
    code("""{r} = {{"errores": errores, "salida_final": A2.detach().flatten().tolist()}}
{r}""", r=("resultados", "results")),
])

# ---------------------------------------------------------------------------------------------
NOTEBOOKS["03_residual_contra_sigmoide"] = ("03_residual_versus_sigmoid", [
    md("""# Red ReLU con conexión residual contra red sigmoide (libreta 002 §2)

El protocolo de la libreta de retropropagación del curso, exactamente: `np.random.seed(42)`, 1000
puntos `randn`, etiqueta XOR de los signos, `train_test_split(test_size=0.2, random_state=42)`
(800 de entrenamiento, 200 de validación); `np.random.seed(0)` y cada capa
$W = \\sqrt{1/\\text{fan\\_in}}\\cdot\\text{randn}$, $b = 0$; tres capas ocultas de 10 unidades; cada
época `np.random.permutation(800)` en 50 lotes de 16; $\\alpha = 0.1$; 500 épocas; entropía cruzada
binaria media (ec. 5 de la tarea). La red ReLU suma la salida de la primera capa oculta a la
preactivación de la tercera: $Z^{\\{4\\}} = A^{\\{3\\}}W^{\\{3\\}} + b^{\\{3\\}} + A^{\\{2\\}}$.

Los datos y los pesos vienen de numpy, como en la libreta; la red, la pérdida y los gradientes, de nabla.""",
       """# ReLU network with a residual connection against a sigmoid network (notebook 002 §2)

The course's backpropagation notebook's protocol, exactly: `np.random.seed(42)`, 1000 `randn`
points, XOR label of the signs, `train_test_split(test_size=0.2, random_state=42)` (800 training,
200 validation rows); `np.random.seed(0)` and each layer $W = \\sqrt{1/\\text{fan\\_in}}\\cdot\\text{randn}$,
$b = 0$; three hidden layers of 10 units; each epoch `np.random.permutation(800)` in 50 batches of
16; $\\alpha = 0.1$; 500 epochs; mean binary cross-entropy (eq. 5 of the homework). The ReLU net adds
the first hidden layer's output to the third's pre-activation:
$Z^{\\{4\\}} = A^{\\{3\\}}W^{\\{3\\}} + b^{\\{3\\}} + A^{\\{2\\}}$.

Data and weights come from numpy, as in the notebook; the network, the loss and the gradients from nabla."""),
    code("""import numpy as np
from sklearn.model_selection import train_test_split
import nabla as torch
import nabla.nn.functional as F

np.random.seed(42)
X = np.random.randn(1000, 2)
y = np.logical_xor(X[:, 0] > 0, X[:, 1] > 0).astype(np.float64).reshape(-1, 1)
X_tr, X_val, y_tr, y_val = train_test_split(X, y, test_size=0.2, random_state=42)
X_tr, X_val, y_tr, y_val = (torch.from_numpy(a) for a in (X_tr, X_val, y_tr, y_val))
print(X_tr.shape, X_val.shape)"""),
    code("""def entrenar(red, epocas=500, lote=16, alpha=0.1):
    np.random.seed(0)
    W = []
    for fan_in, fan_out in [(2, 10), (10, 10), (10, 10), (10, 1)]:
        W.append(torch.tensor(np.sqrt(1.0 / fan_in) * np.random.randn(fan_in, fan_out), requires_grad=True))
        W.append(torch.zeros(1, fan_out, dtype=torch.float64, requires_grad=True))
    act = torch.relu if red == "relu" else torch.sigmoid

    def adelante(X):
        A2 = act(X @ W[0] + W[1])
        A3 = act(A2 @ W[2] + W[3])
        Z4 = A3 @ W[4] + W[5]
        A4 = act(Z4 + A2 if red == "relu" else Z4)   # {c}
        return A4 @ W[6] + W[7]                       # logit: sigmoid(Z5) = y_hat

    perdidas, normas = [], None
    for epoca in range(epocas):
        perm = torch.from_numpy(np.random.permutation(800))
        suma = 0.0
        for k in range(800 // lote):
            i = perm[k * lote:(k + 1) * lote]
            loss = F.binary_cross_entropy_with_logits(adelante(X_tr[i]), y_tr[i])   # {c2}
            loss.backward()
            if normas is None:
                normas = [W[j].grad.norm().item() for j in (0, 2, 4, 6)]
            with torch.no_grad():
                for p in W:
                    p -= alpha * p.grad
                    p.grad = None
            suma += loss.item()
        perdidas.append(suma / (800 // lote))
    with torch.no_grad():
        acierto = ((torch.sigmoid(adelante(X_val)) > 0.5) == (y_val > 0.5)).double().mean().item() * 100
    return perdidas, normas, acierto

relu = entrenar("relu")
sigm = entrenar("sigmoid")
for nombre, (p, n, a) in (("ReLU + residual", relu), ("sigmoide", sigm)):
    print(f"{{nombre:16s}} pérdida época 1 {{p[0]:.6f}}, época 500 {{p[-1]:.6f}}, validación {{a:.1f}} %, "
          f"normas del gradiente (capa 1..4) {{np.round(n, 5)}}")""",
         c=("la conexión residual", "the residual connection"),
         c2=("ec. 5, calculada desde el logit", "eq. 5, computed from the logit")),
    md("""Las normas del gradiente de la primera actualización dicen por qué la red sigmoide aprende
más despacio: el gradiente que llega a la primera capa es mucho más débil que el de la capa de
salida (σ′ ≤ ¼ en cada capa), mientras la conexión residual de la red ReLU le lleva el gradiente
directamente. `nabla.demo("residual-vs-sigmoid")` cuenta lo mismo con dibujos:""",
       """The gradient norms of the first update say why the sigmoid network learns more slowly: the
gradient reaching the first layer is much weaker than the output layer's (σ′ ≤ ¼ at every layer),
while the ReLU net's residual connection carries the gradient straight to it.
`nabla.demo("residual-vs-sigmoid")` tells the same with pictures:"""),
    code("""import nabla
numeros_demo = nabla.demo("residual-vs-sigmoid", lang="{lang}")""", lang=("es", "en")),
    code("""{r} = {{
    "relu": {{"train_loss": relu[0], "grad_norms_first_step": relu[1], "val_accuracy": relu[2]}},
    "sigmoid": {{"train_loss": sigm[0], "grad_norms_first_step": sigm[1], "val_accuracy": sigm[2]}},
}}
{{k: (v["train_loss"][-1], v["val_accuracy"]) for k, v in {r}.items()}}""", r=("resultados", "results")),
])

# ---------------------------------------------------------------------------------------------
NOTEBOOKS["04_redes_densas_diabetes"] = ("04_dense_networks_diabetes", [
    md("""# Tres configuraciones de redes densas sobre Diabetes (libreta 002 §4)

La libreta de redes densas del curso, escrita en PyTorch, corrida con nabla cambiando solo la
importación: regresión sobre el conjunto Diabetes de scikit-learn (442 filas, 10 variables),
`train_test_split` 0.3 y luego 0.2 (`random_state=42`): 247 / 62 / 133 filas; `StandardScaler`
ajustado en el entrenamiento; `MSELoss`; `DataLoader(batch_size=8, shuffle=True, drop_last=True)`;
`torch.manual_seed(42)` antes de cada modelo; AdamW con lr 1e-2, 200 épocas. La tarea no fija el
optimizador ni los grupos de GroupNorm: aquí AdamW y 4 grupos.""",
       """# Three dense-network configurations on Diabetes (notebook 002 §4)

The course's dense-network notebook, written in PyTorch, run with nabla by changing the import
only: regression on scikit-learn's Diabetes set (442 rows, 10 features), `train_test_split` 0.3 then
0.2 (`random_state=42`): 247 / 62 / 133 rows; `StandardScaler` fitted on the training rows;
`MSELoss`; `DataLoader(batch_size=8, shuffle=True, drop_last=True)`; `torch.manual_seed(42)` before
each model; AdamW with lr 1e-2, 200 epochs. The homework leaves the optimizer and GroupNorm's groups
open: AdamW and 4 groups here."""),
    code("""import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
import nabla as torch                  # {c}
from nabla import nn
from nabla.utils.data import DataLoader, TensorDataset

disp = "cuda:0" if torch.cuda.is_available() else "cpu"
X, y = load_diabetes(return_X_y=True)
X_trv, X_te, y_trv, y_te = train_test_split(X, y, test_size=0.3, random_state=42)
X_tr, X_va, y_tr, y_va = train_test_split(X_trv, y_trv, test_size=0.2, random_state=42)
esc = StandardScaler().fit(X_tr)
tensor = lambda a: torch.tensor(a, dtype=torch.float32)
X_tr, X_va, X_te = (tensor(esc.transform(a)) for a in (X_tr, X_va, X_te))
y_tr, y_va, y_te = (tensor(a).reshape(-1, 1) for a in (y_tr, y_va, y_te))
print(len(X_tr), len(X_va), len(X_te))""", c=("la única línea que cambia", "the one line that changes")),
    code("""def bloque(n_in, n_out, norm, act, p):
    return [nn.Linear(n_in, n_out), norm(n_out), act, nn.Dropout(p)]

def config1():
    capas, n = [], 10
    for m, act in zip([32, 16, 8, 2], [nn.ReLU(), nn.Sigmoid(), nn.ReLU(), nn.Sigmoid()]):
        capas += bloque(n, m, nn.BatchNorm1d, act, 0.2)
        n = m
    return nn.Sequential(*capas, nn.Linear(2, 1))

def config2():
    capas, n = [], 10
    for m, act, p in zip([64, 128, 64, 32, 16], [nn.ELU(), nn.LeakyReLU(), nn.GELU(), nn.SiLU(), nn.ReLU()],
                         [0.1, 0.2, 0.3, 0.3, 0.2]):
        capas += bloque(n, m, lambda k: nn.GroupNorm(4, k), act, p)
        n = m
    return nn.Sequential(*capas, nn.Linear(16, 1))

def config3():
    return nn.Sequential(nn.Linear(10, 10), nn.Sigmoid(), nn.Dropout(0.2), nn.Linear(10, 20), nn.Sigmoid(),
                         nn.Dropout(0.2), nn.Linear(20, 1))

def entrenar(construir, weight_decay=1e-2, epocas=200):
    torch.manual_seed(42)
    modelo = construir().to(disp)
    opt = torch.optim.AdamW(modelo.parameters(), lr=1e-2, weight_decay=weight_decay)
    mse = nn.MSELoss()
    cargador = DataLoader(TensorDataset(X_tr, y_tr), batch_size=8, shuffle=True, drop_last=True)
    hist_tr, hist_va = [], []
    for epoca in range(epocas):
        modelo.train()
        perdidas = []
        for xb, yb in cargador:
            opt.zero_grad()
            loss = mse(modelo(xb), yb)
            loss.backward()
            opt.step()
            perdidas.append(loss.item())
        hist_tr.append(sum(perdidas) / len(perdidas))
        modelo.eval()
        with torch.no_grad():
            hist_va.append(mse(modelo(X_va), y_va).item())
    with torch.no_grad():
        prueba = mse(modelo(X_te), y_te).item()
    parametros = sum(p.numel() for p in modelo.parameters())
    return {{"params": parametros, "train_loss": hist_tr, "val_loss": hist_va, "test_mse": prueba}}

corridas = {{"config1": entrenar(config1), "config2": entrenar(config2), "config3": entrenar(config3, 1e-3)}}
media = ((y_te - y_tr.mean()) ** 2).mean().item()
for nombre, r in corridas.items():
    print(f"{{nombre}}: {{r['params']:5d}} parámetros, MSE de prueba {{r['test_mse']:9.1f}}")
print(f"predecir la media del entrenamiento: MSE de prueba {{media:9.1f}}")""", ),
    code("""{r} = dict(corridas, predict_mean_test_mse=media)
{{k: (v["test_mse"] if isinstance(v, dict) else v) for k, v in {r}.items()}}""", r=("resultados", "results")),
])


def build(lang):
    out = {}
    for es_name, (en_name, cells) in NOTEBOOKS.items():
        nb = nbformat.v4.new_notebook()
        nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                       "language_info": {"name": "python"}}
        for kind, text in cells:
            t = text[lang]
            nb.cells.append(nbformat.v4.new_markdown_cell(t) if kind == "md" else nbformat.v4.new_code_cell(t))
        for i, c in enumerate(nb.cells):  # stable ids: the files do not change from run to run
            c["id"] = f"cell-{i:02d}"
        out[os.path.join("notebooks", lang, (es_name if lang == "es" else en_name) + ".ipynb")] = nbformat.writes(nb) + "\n"
    return out


def main():
    files = {**build("es"), **build("en")}
    check = "--check" in sys.argv[1:]
    stale = []
    for rel, text in files.items():
        path = os.path.join(ROOT, rel)
        old = open(path).read() if os.path.exists(path) else None
        if old != text:
            stale.append(rel)
            if not check:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w") as f:
                    f.write(text)
    if check and stale:
        print("notebooks/ is not what tools/make_notebooks.py writes: " + ", ".join(stale), file=sys.stderr)
        return 1
    print(("stale: " if check else "wrote: ") + (", ".join(stale) or "nothing"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
