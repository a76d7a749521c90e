"""nabla's figures in a notebook: line plots drawn by nabla's own renderer (the one behind every
picture of `nabla demo` and `nabla train`), shown inline as PNG (or SVG) by Jupyter.

    fig = nabla.viz.line_plot({"train": losses, "test": test_losses}, title="Loss", xlabel="epoch", log_y=True)
    fig                      # shown inline in Jupyter
    fig.save("loss.png")     # or .svg
"""
import os

from . import _C

__all__ = ["Figure", "line_plot"]


class Figure:
    """A rendered figure: `png` (bytes) and `svg` (text) on demand; Jupyter shows it inline."""

    def __init__(self, lines, title="", xlabel="", ylabel="", log_y=False, width=640, height=480):
        self._args = dict(lines=lines, title=title, xlabel=xlabel, ylabel=ylabel, log_y=log_y, width=width,
                          height=height)

    def png(self):
        return _C._line_plot(format="png", **self._args)

    def svg(self):
        return _C._line_plot(format="svg", **self._args)

    def _repr_png_(self):
        return self.png()

    def _repr_svg_(self):
        return self.svg()

    def save(self, path):
        """Writes the figure as PNG or SVG (by the file's extension), atomically."""
        path = os.fspath(path)
        ext = os.path.splitext(path)[1].lower()
        if ext not in (".png", ".svg"):
            raise ValueError(f"nabla.viz: save() writes .png or .svg files, got {path!r}")
        data = self.png() if ext == ".png" else self.svg().encode("utf-8")
        tmp = f"{path}.tmp{os.getpid()}"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)


def line_plot(series, x=None, title="", xlabel="", ylabel="", log_y=False, width=640, height=480):
    """A line plot of `series`: {name: ys} or {name: (xs, ys)} (or one list of ys); `x` is the
    shared x values when the series give only ys (default 1, 2, ..., as epochs are numbered)."""
    if not isinstance(series, dict):
        series = {"": series}
    lines = []
    for name, values in series.items():
        if isinstance(values, tuple) and len(values) == 2:
            xs, ys = values
        else:
            ys = values
            xs = x if x is not None else range(1, len(ys) + 1)
        lines.append((str(name), [float(v) for v in xs], [float(v) for v in ys]))
    return Figure(lines, title, xlabel, ylabel, log_y, width, height)
