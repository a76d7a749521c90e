"""Packaging: the wheel (pip wheel --no-build-isolation, offline) installs into a
`python3 -m venv --system-site-packages` venv with `pip install --no-index` and works from
another directory; `cmake --install build --component python` installs an importable package;
the extension links libnabla statically."""
import glob
import json
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


# A small training and the course's XOR demo, run by the installed wheel's Python.
TRAIN_CHECK = """
import json, nabla
from nabla import nn
nabla.manual_seed(0)
x = nabla.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
y = nabla.tensor([[0.0], [1.0], [1.0], [0.0]])
model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
opt = nabla.optim.Adam(model.parameters(), lr=0.05)
losses = []
for _ in range(300):
    opt.zero_grad()
    loss = nn.functional.binary_cross_entropy_with_logits(model(x), y)
    loss.backward()
    opt.step()
    losses.append(loss.item())
print(json.dumps({"first": losses[0], "last": losses[-1], "demo": nabla.demo("xor", show=False)}))
"""


def linked_packages(binary):
    """The Debian packages owning the libraries `binary` loads (ldd), after checking that every one
    resolves, none lies in the source/build tree, and no RPATH/RUNPATH points there."""
    deps = subprocess.check_output(["ldd", str(binary)], text=True)
    assert "not found" not in deps, deps
    packages = set()
    for line in deps.splitlines():
        m = re.search(r"(/\S+)", line.split("=>")[-1])
        if not m:
            continue  # linux-vdso: in the kernel
        path = m.group(1)
        assert not os.path.realpath(path).startswith(str(ROOT)), f"{binary} loads {path} from the build tree"
        owner = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True)
        if owner.returncode != 0:
            owner = subprocess.run(["dpkg", "-S", os.path.realpath(path)], capture_output=True, text=True)
        assert owner.returncode == 0, f"{binary}: {path} belongs to no Debian package"
        packages.add(owner.stdout.split(":")[0])
    dynamic = subprocess.check_output(["readelf", "-d", str(binary)], text=True)
    for line in dynamic.splitlines():
        if "RPATH" in line or "RUNPATH" in line:
            assert str(ROOT) not in line and "build" not in line, f"{binary}: {line.strip()}"
    return packages


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

    # A small training and nabla.demo("xor") (the CLI inside the wheel) from the venv, elsewhere.
    result = json.loads(run([str(venv / "bin" / "python"), "-c", TRAIN_CHECK], cwd=elsewhere, env=clean))
    assert result["last"] < 0.2 * result["first"], result
    want = json.loads(run([str(build_dir / "nabla"), "demo", "xor", "--json"], cwd=elsewhere))["numbers"]
    assert result["demo"] == want and want

    # What the installed extension and commands load: Debian 12 runtime packages only, each named
    # in the README's list of what a target machine needs.
    installed = pathlib.Path(cli).parent.parent
    binaries = glob.glob(str(installed / "_C*.so")) + [cli, str(installed / "bin" / "nabla-serve")]
    assert len(binaries) == 3, binaries
    packages = set()
    for b in binaries:
        packages |= linked_packages(b)
    readme = (ROOT / "README.md").read_text()
    needs = readme[readme.index("## Python and Jupyter"):]
    needs = needs[needs.index("A target machine needs"):][:800]
    missing = sorted(p for p in packages if p not in needs)
    assert not missing, f"the README's list of runtime packages lacks {missing} (found {sorted(packages)})"


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
