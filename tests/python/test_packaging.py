"""Packaging: the wheel (pip wheel --no-build-isolation, offline) installs into a
`python3 -m venv --system-site-packages` venv with `pip install --no-index` and works from
another directory; `cmake --install build --component python` installs an importable package;
the extension links libnabla statically."""
import glob
import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = ROOT / "build"
PY = "/usr/bin/python3"
CHECK = ("import nabla, sys; x = nabla.tensor([1.0, 2.0], requires_grad=True); (x * x).sum().backward(); "
         "print(nabla.__version__, nabla.__file__, x.grad.tolist())")


# The nabla command comes with the package (nabla/bin), and nabla.trace runs that copy.
CLI_CHECK = ("import nabla; from nabla import notebook; t = nabla.trace('x*y', x=3, y=2, show=False); "
             "print(notebook.cli_path(), t['grad']['x'])")


def cmake_version():
    return re.search(r"project\(nabla VERSION ([0-9.]+)", (ROOT / "CMakeLists.txt").read_text()).group(1)


@pytest.fixture(scope="module")
def build_dir():
    assert (BUILD / "CMakeCache.txt").exists(), "build first: bash tools/build.sh (the tests reuse ./build)"
    return BUILD


def run(args, **kw):
    out = subprocess.run(args, capture_output=True, text=True, timeout=900, **kw)
    assert out.returncode == 0, f"{args}\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    return out.stdout


def test_wheel_installs_in_a_venv(build_dir, tmp_path):
    env = dict(os.environ, NABLA_BUILD_DIR=str(build_dir), PIP_NO_INDEX="1")
    run([PY, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "-w", str(tmp_path / "wheels"), str(ROOT)],
        env=env, cwd=tmp_path)
    wheels = glob.glob(str(tmp_path / "wheels" / "nabla-*.whl"))
    assert len(wheels) == 1, wheels
    assert f"nabla-{cmake_version()}-" in os.path.basename(wheels[0])
    venv = tmp_path / "venv"
    run([PY, "-m", "venv", "--system-site-packages", str(venv)])
    run([str(venv / "bin" / "python"), "-m", "pip", "install", "--no-index", "--no-deps", wheels[0]], cwd=tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = run([str(venv / "bin" / "python"), "-c", CHECK], cwd=elsewhere, env=clean).split()
    assert out[0] == cmake_version()
    assert out[1].startswith(str(venv)), out[1]  # the venv's copy, not another one
    assert " ".join(out[2:]) == "[2.0, 4.0]"
    clean.pop("NABLA_CLI", None)
    cli, grad = run([str(venv / "bin" / "python"), "-c", CLI_CHECK], cwd=elsewhere, env=clean).split()
    assert cli.startswith(str(venv)) and cli.endswith("/nabla/bin/nabla") and float(grad) == 2.0


def test_cmake_install_component(build_dir, tmp_path):
    run(["cmake", "--install", str(build_dir), "--component", "python"],
        env=dict(os.environ, DESTDIR=str(tmp_path / "root")))
    found = glob.glob(str(tmp_path / "root" / "**" / "nabla" / "__init__.py"), recursive=True)
    assert len(found) == 1, found
    site = pathlib.Path(found[0]).parent.parent
    platlib = subprocess.check_output([PY, "-c", "import sysconfig; print(sysconfig.get_path('platlib'))"],
                                      text=True).strip()
    assert str(site).endswith(platlib), (site, platlib)
    out = run([PY, "-c", CHECK], cwd=tmp_path, env=dict(os.environ, PYTHONPATH=str(site))).split()
    assert out[0] == cmake_version() and out[1].startswith(str(site))
    cli, grad = run([PY, "-c", CLI_CHECK], cwd=tmp_path, env=dict(os.environ, PYTHONPATH=str(site))).split()
    assert cli == str(site / "nabla" / "bin" / "nabla") and float(grad) == 2.0


def test_extension_links_no_nabla_library(build_dir):
    so = glob.glob(str(build_dir / "python" / "nabla" / "_C*.so"))
    assert len(so) == 1, so
    deps = subprocess.check_output(["ldd", so[0]], text=True)
    assert "nabla" not in deps.replace(so[0], "")
    assert "libpython" not in deps  # an extension module takes its symbols from the interpreter


def test_version_matches_and_no_torch():
    out = run([PY, "-c", "import sys; sys.path[:0] = %r; import nabla; print(nabla.__version__); "
                         "print('torch' in sys.modules)" % (sys.path,)], cwd="/")
    version, torch_loaded = out.split()
    assert version == cmake_version() and torch_loaded == "False"
