"""nabla's errors in Python: one class per nabla::Error subclass, deriving from RuntimeError (as
torch raises) and from the matching built-in, with the C++ message; misuse never crashes."""
import subprocess
import sys

import numpy as np
import pytest

import nabla


@pytest.mark.parametrize("name,builtin", [
    ("ShapeError", ValueError), ("DTypeError", TypeError), ("ValueError", ValueError), ("IOError", OSError),
    ("ParseError", ValueError), ("AutogradError", RuntimeError), ("CaptureError", RuntimeError),
])
def test_hierarchy(name, builtin):
    cls = getattr(nabla, name)
    assert issubclass(cls, nabla.Error) and issubclass(cls, builtin) and issubclass(cls, RuntimeError)
    assert cls.__module__ == "nabla" and cls.__name__ == name


def test_messages_are_the_cpp_ones():
    with pytest.raises(nabla.ShapeError) as e:
        nabla.zeros(2) + nabla.zeros(3)
    assert str(e.value) == "add: shapes [2] and [3] cannot be broadcast together (dimension 0: 2 vs 3)"
    with pytest.raises(nabla.ValueError) as e:
        nabla.zeros(2, 3).sum(5)
    assert "dimension 5 out of range" in str(e.value)


MISUSE = [
    (lambda: nabla.zeros(0).amax(), nabla.ValueError),
    (lambda: nabla.zeros(0).item(), nabla.ShapeError),
    (lambda: nabla.zeros(2)[3], IndexError),
    (lambda: nabla.zeros(2, 2)[0, 0, 0], IndexError),
    (lambda: nabla.zeros(2) + "a", TypeError),
    (lambda: nabla.zeros(2) * None, TypeError),
    (lambda: nabla.zeros("a"), ValueError),
    (lambda: nabla.zeros(-1), nabla.ShapeError),
    (lambda: nabla.tensor([[1, 2], [3]]), ValueError),
    (lambda: nabla.tensor(["a"]), nabla.DTypeError),
    (lambda: nabla.tensor(object()), nabla.DTypeError),
    (lambda: nabla.zeros(2, 3) @ nabla.zeros(2), nabla.ShapeError),
    (lambda: nabla.zeros(2).reshape(3), nabla.ShapeError),
    (lambda: nabla.zeros(2).transpose(0, 3), nabla.ValueError),
    (lambda: nabla.cat([]), nabla.ValueError),
    (lambda: nabla.cat([nabla.zeros(2), nabla.zeros(2, 2)]), nabla.ShapeError),
    (lambda: nabla.zeros(2).item(), nabla.ShapeError),
    (lambda: nabla.zeros(2).backward(), nabla.AutogradError),
    (lambda: nabla.zeros(1).backward(), nabla.AutogradError),  # needs no grad
    (lambda: nabla.autograd.grad(nabla.zeros(1, requires_grad=True).sum(), [nabla.zeros(1)]), nabla.AutogradError),
    (lambda: nabla.zeros(2).mean(dim=7), nabla.ValueError),
    (lambda: nabla.tensor([1, 2]).mean(), nabla.DTypeError),
    (lambda: nabla.zeros(2, dtype="float16"), nabla.DTypeError),
    (lambda: nabla.zeros(2, dtype=3), nabla.DTypeError),
    (lambda: nabla.from_numpy([1, 2]), TypeError),
    (lambda: nabla.from_numpy(np.zeros(2, dtype=np.complex64)), nabla.DTypeError),
    (lambda: nabla.arange(0, 1, 0), nabla.ValueError),
    (lambda: nabla.zeros(3).split(0), nabla.ValueError),
    (lambda: nabla.zeros(3).view(nabla.zeros(1)), Exception),
    (lambda: nabla.randn(2, 2).softmax(dim=2), nabla.ValueError),
    (lambda: nabla.compile(lambda x: x)(1.0), nabla.ValueError),
    (lambda: nabla.manual_seed("x"), TypeError),
]


@pytest.mark.parametrize("i", range(len(MISUSE)))
def test_misuse_raises(i):
    fn, error = MISUSE[i]
    with pytest.raises(error):
        fn()


def test_misuse_in_a_subprocess_does_not_crash():
    """The same list again in a fresh interpreter, which must exit normally."""
    code = (
        "import sys; sys.path[:0] = %r\n"
        "import nabla, numpy as np\n"
        "bad = [lambda: nabla.Tensor().numpy(), lambda: nabla.Tensor().sum(), lambda: nabla.Tensor()[0],\n"
        "       lambda: nabla.Tensor().grad, lambda: nabla.Tensor().backward(), lambda: repr(nabla.Tensor()),\n"
        "       lambda: nabla.zeros(2).grad_fn.name(), lambda: nabla.tensor([1.0]).expand(-1, 2),\n"
        "       lambda: nabla.zeros(0).amax(), lambda: nabla.zeros(0).argmax(), lambda: nabla.zeros(2)[None, None, ..., 5]]\n"
        "n = 0\n"
        "for f in bad:\n"
        "    try: f()\n"
        "    except Exception: n += 1\n"
        "print('survived', n)\n" % (sys.path,)
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "survived" in out.stdout
