#!/usr/bin/env bash
# Configures and builds nabla (Release) into ./build: the libraries, the nabla command, nabla-serve
# and the Python module — no tests and no benchmarks (tools/test.sh turns those on). Uses ccache
# when it is installed. Extra arguments go to cmake's configure (e.g. -DNABLA_BUILD_TESTS=ON).
# With the Python module built (pybind11-dev installed), and run as root, it also installs the
# module into Debian's site-packages for /usr/bin/python3, so `/usr/bin/python3 -c "import nabla"`
# works from any directory; otherwise it prints how to use it. NABLA_NO_INSTALL=1 skips that install
# (to time a build as root without touching the system's Python).
set -euo pipefail
cd "$(dirname "$0")/.."
launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DNABLA_BUILD_TESTS=OFF -DNABLA_BUILD_BENCH=OFF \
      "${launcher[@]}" "$@" >/dev/null
cmake --build build -j"$(nproc)"
if grep -q '^NABLA_BUILD_PYTHON:BOOL=ON' build/CMakeCache.txt; then
  if [ "$(id -u)" -eq 0 ] && [ "${NABLA_NO_INSTALL:-0}" != "1" ]; then
    cmake --install build --component python | sed -n 's/^-- nabla.s Python package: /nabla'"'"'s Python module installed for \/usr\/bin\/python3: /p'
  else
    echo "Python module built in build/python: PYTHONPATH=$PWD/build/python /usr/bin/python3 -c 'import nabla'"
    echo "  (install it for every user with: sudo cmake --install build --component python)"
  fi
fi
