"""Builds the nabla wheel: the extension nabla._C comes from CMake (target nabla_python), the
pure-Python package from python/nabla. With NABLA_BUILD_DIR set to a configured CMake build
directory (e.g. build) that directory is brought up to date and its extension used, so nothing
is compiled twice; otherwise a fresh Release build is configured in build/wheel (only what the
module needs: no tests, no benchmarks). NABLA_ARCH passes through (NABLA_ARCH=x86-64 for a wheel
that runs on every x86-64 CPU; the default compiles nabla's loops for the building machine's
x86-64-v3 when it has it)."""
import glob
import os
import re
import shutil
import subprocess
import sys

from setuptools import Extension, find_packages, setup
from setuptools.command.build_ext import build_ext

ROOT = os.path.dirname(os.path.abspath(__file__))


def version():
    with open(os.path.join(ROOT, "CMakeLists.txt")) as f:
        return re.search(r"project\(nabla VERSION ([0-9.]+)", f.read()).group(1)


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build_dir = os.environ.get("NABLA_BUILD_DIR")
        if build_dir:
            build_dir = os.path.abspath(os.path.join(ROOT, build_dir) if not os.path.isabs(build_dir) else build_dir)
            if not os.path.exists(os.path.join(build_dir, "CMakeCache.txt")):
                sys.exit(f"NABLA_BUILD_DIR={build_dir} is not a configured CMake build directory")
        else:
            build_dir = os.path.join(ROOT, "build", "wheel")
            args = ["cmake", "-S", ROOT, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release", "-DNABLA_BUILD_TESTS=OFF",
                    "-DNABLA_BUILD_BENCH=OFF", "-DNABLA_BUILD_PYTHON=ON", f"-DPYTHON_EXECUTABLE={sys.executable}"]
            if shutil.which("ninja"):
                args += ["-G", "Ninja"]
            if shutil.which("ccache"):
                args += ["-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"]
            if os.environ.get("NABLA_ARCH"):
                args += [f"-DNABLA_ARCH={os.environ['NABLA_ARCH']}"]
            subprocess.check_call(args)
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", str(os.cpu_count() or 1))
        subprocess.check_call(["cmake", "--build", build_dir, "--target", "nabla_python", "-j", jobs])
        built = glob.glob(os.path.join(build_dir, "python", "nabla", "_C*.so"))
        if not built:
            sys.exit(f"no nabla/_C*.so in {build_dir}/python after the build")
        target = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(built[0], target)
        # The nabla command, in nabla/bin: nabla.trace / demo / explore run it (nabla/notebook.py).
        subprocess.check_call(["cmake", "--build", build_dir, "--target", "nabla_cli", "nabla_serve_cli", "-j", jobs])
        bin_dir = os.path.join(os.path.dirname(target), "bin")
        os.makedirs(bin_dir, exist_ok=True)
        for program in ("nabla", "nabla-serve"):
            shutil.copy2(os.path.join(build_dir, program), os.path.join(bin_dir, program))


setup(
    version=version(),
    packages=find_packages("python"),
    package_dir={"": "python"},
    ext_modules=[Extension("nabla._C", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    zip_safe=False,
)
