"""nabla's explanations in a notebook: the autodiff trace of a formula, the course's demos and the
function explorer, shown inline (text, tables and pictures) and returned as Python data.

    import nabla
    t = nabla.trace("x3*tanh(w4*sigmoid(w3*x1))", x1=-1.5, w3=0.5, w4=2, x3=1)   # shows the trace
    t["grad"]["w3"]                      # -0.444..., the numbers as Python data
    nums = nabla.demo("xor", lang="es")  # the demo's explanation and pictures; its numbers as a dict
    nabla.explore("x^4 - 3*x^2 + x", start=1.5)

These are thin layers over the `nabla` command (`nabla grad`, `nabla demo`, `nabla explore`), so a
notebook shows exactly what the terminal shows, in English or Spanish (lang="es"). The command is
looked up as: $NABLA_CLI; the one installed with the module (nabla/bin/nabla); the build tree's
(build/nabla next to build/python/nabla); then `nabla` on PATH.
"""
import base64
import html
import json
import os
import shutil
import subprocess
import tempfile

__all__ = ["trace", "demo", "explore", "cli_path", "Report"]


def cli_path():
    """The `nabla` command this module runs (see the module's doc), or a FileNotFoundError naming
    where it looked."""
    here = os.path.dirname(os.path.abspath(__file__))  # not resolved: build/python/nabla may hold links
    candidates = [os.environ.get("NABLA_CLI", ""), os.path.join(here, "bin", "nabla"),
                  os.path.join(os.path.dirname(os.path.dirname(here)), "nabla")]
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    found = shutil.which("nabla")
    if found:
        return found
    raise FileNotFoundError("nabla: the `nabla` command was not found (looked at $NABLA_CLI, " +
                            ", ".join(candidates[1:]) + " and PATH); build it with tools/build.sh")


def _run(args, lang):
    cmd = [cli_path()] + args + (["--lang", lang] if lang else [])
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        message = (p.stderr or p.stdout).strip()
        error = ValueError if p.returncode == 2 else RuntimeError
        raise error(message or f"nabla: `{' '.join(args[:2])}` failed with exit code {p.returncode}")
    return p.stdout


def _in_notebook():
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


_MIME = {".png": "image/png", ".gif": "image/gif", ".svg": "image/svg+xml"}


class Report:
    """What a nabla command said and drew: its text and its pictures (name -> bytes), shown as HTML
    in Jupyter (`_repr_html_`) and as plain text elsewhere."""

    def __init__(self, text, pictures=(), captions=None):
        self.text = text
        self.pictures = dict(pictures)
        self.captions = dict(captions or {})

    def _repr_html_(self):
        parts = [f"<pre style='white-space: pre-wrap'>{html.escape(self.text)}</pre>"]
        for name, data in self.pictures.items():
            ext = os.path.splitext(name)[1].lower()
            caption = html.escape(self.captions.get(name, name))
            if ext == ".svg":
                body = data.decode("utf-8")
                body = body[body.find("<svg"):] if "<svg" in body else body
            else:
                uri = base64.b64encode(data).decode("ascii")
                body = f"<img src='data:{_MIME.get(ext, 'image/png')};base64,{uri}' style='max-width: 100%'/>"
            parts.append(f"<figure style='margin: 0.5em 0'>{body}<figcaption>{caption}</figcaption></figure>")
        return "\n".join(parts)

    def __repr__(self):
        return self.text

    def show(self):
        """Displays the report: rich output in Jupyter, its text elsewhere."""
        if _in_notebook():
            from IPython.display import HTML, display
            display(HTML(self._repr_html_()))
        else:
            print(self.text)


def _pictures(directory, text):
    """The pictures a command wrote into `directory`, in the order its text lists them, with the
    descriptions it gives them there ("  boundary.png  the final XOR boundary ...")."""
    names = sorted(n for n in os.listdir(directory) if os.path.splitext(n)[1].lower() in _MIME)
    captions, order = {}, []
    for line in text.splitlines():
        words = line.strip().split(None, 1)
        if words and words[0] in names and words[0] not in captions:
            captions[words[0]] = words[1] if len(words) > 1 else words[0]
            order.append(words[0])
    order += [n for n in names if n not in captions]
    pictures = {}
    for n in order:
        with open(os.path.join(directory, n), "rb") as f:
            pictures[n] = f.read()
    return pictures, captions


def _without(text, directory):
    """The text without the lines that name a temporary directory (where the pictures went)."""
    return "\n".join(line for line in text.splitlines() if directory not in line).strip()


def _bindings(values):
    return ",".join(f"{k}={float(v)!r}" for k, v in values.items())


def trace(expression, order=1, lang=None, show=True, **values):
    """The autodiff trace of a scalar formula (`nabla grad`): the forward values, the backward
    adjoints with each local derivative and chain-rule product, and the graph (SVG), shown inline;
    returns the numbers as a dict: value, grad {variable: ∂f/∂v}, nodes (id, op, formula, inputs,
    local derivatives, value, adjoint), and hessian with order=2.

        nabla.trace("x*tanh(w*x)", x=0.5, w=-2)["grad"]
    """
    if order not in (1, 2):
        raise ValueError(f"nabla.trace: order must be 1 or 2, got {order!r}")
    args = ["grad", expression, "--order", str(order)]
    if values:
        args += ["--at", _bindings(values)]
    numbers = json.loads(_run(args + ["--json"], None))
    if show:
        with tempfile.TemporaryDirectory(prefix="nabla-trace-") as d:
            svg = os.path.join(d, "graph.svg")
            text = _run(args + ["--svg", svg], lang)
            pictures = {}
            if os.path.exists(svg):
                with open(svg, "rb") as f:
                    pictures["graph.svg"] = f.read()
            Report(_without(text, d), pictures).show()
    return numbers


def demo(name, lang=None, show=True, config=None, set=None):
    """Runs one of the course's experiments (`nabla demo NAME`, see `nabla demo --list`): shows its
    explanation and pictures inline and returns its key numbers as a dict (`nabla demo NAME --json`).
    `config`: a TOML file to train with instead of the demo's own; `set`: {"key": value} overrides.
    """
    extra = []
    if config:
        extra += ["--config", os.fspath(config)]
    for key, value in (set or {}).items():
        extra += ["--set", f"{key}={value}"]
    numbers = json.loads(_run(["demo", name, "--json"] + extra, None)).get("numbers", {})
    if show:
        with tempfile.TemporaryDirectory(prefix=f"nabla-demo-{name}-") as d:
            text = _run(["demo", name, "--out", d] + extra, lang)
            pictures, captions = _pictures(d, text)
            Report(_without(text, d), pictures, captions).show()
    return numbers


def explore(expression, var=None, lang=None, show=True, at=None, **options):
    """Any function of one variable, looked at as the cost-landscape demo looks at C(W) (`nabla
    explore`): f, f′, f″ by autograd, the critical points with their kind, a gradient-descent path
    and the tangent animation, shown inline; returns the numbers as a dict. `options`: from_ (or
    start of the window: from_=-2), to, start, lr, steps, frames; `at`: {name: value} for the
    formula's other variables.
    """
    args = ["explore", expression]
    if var:
        args += ["--var", var]
    if at:
        args += ["--at", _bindings(at)]
    names = {"from_": "--from", "to": "--to", "start": "--start", "lr": "--lr", "steps": "--steps",
             "frames": "--frames"}
    for key, value in options.items():
        if key not in names:
            raise TypeError(f"nabla.explore: unknown option {key!r}; expected one of {', '.join(names)}")
        args += [names[key], str(value)]
    numbers = json.loads(_run(args + ["--json"], None))
    if show:
        with tempfile.TemporaryDirectory(prefix="nabla-explore-") as d:
            text = _run(args + ["--out", d], lang)
            pictures, captions = _pictures(d, text)
            Report(_without(text, d), pictures, captions).show()
    return numbers
