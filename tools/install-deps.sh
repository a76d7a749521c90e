#!/usr/bin/env bash
# Installs what nabla needs from Debian 12's packages. Skips apt entirely when every package is
# already installed (fast repeated runs).
#   bash tools/install-deps.sh          what the README's first command needs: the compiler and
#                                       build tools, the library's, the CLI's, the playground's and
#                                       the Python module's dependencies (~ what the .deb needs)
#   bash tools/install-deps.sh --test   also what the test command needs (tools/test.sh runs it):
#                                       GoogleTest, Google Benchmark, OpenMPI (the mpi tests),
#                                       PyTorch and scikit-learn (the oracles), pytest, Jupyter's
#                                       runners, Chromium and Node.js (the playground's browser
#                                       test), dpkg-dev (the .deb test)
#   bash tools/install-deps.sh --fuzz   also clang and its libFuzzer/sanitizer runtimes (tools/fuzz.sh)
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config
  libopenblas-dev nlohmann-json3-dev libtomlplusplus-dev libpng-dev libgif-dev  # the library
  libfreetype-dev fonts-dejavu-core  # plot text in DejaVu Sans (without them: the bitmap font)
  libcli11-dev graphviz  # the nabla command (graphviz: `nabla grad --svg`, the autodiff demo's graph)
  libcpp-httplib-dev     # nabla serve
  python3 python3-numpy pybind11-dev python3-pybind11  # the Python module (python/)
)
for arg in "$@"; do
  case "$arg" in
    --test)
      packages+=(
        git libgtest-dev libgmock-dev libbenchmark-dev
        dpkg-dev file  # the .deb test: CPack runs dpkg-shlibdeps on the ELF files `file` finds
        libopenmpi-dev openmpi-bin  # nabla_distributed and its mpirun tests (optional for the library)
        python3-torch python3-sklearn python3-pytest python3-venv python3-pip python3-setuptools python3-wheel
        python3-nbclient python3-nbformat python3-ipykernel python3-ipython  # notebooks/, run headless
        chromium  # the end-to-end test of `nabla serve` (tests/serve/e2e.mjs), with node and npm:
      )
      # Node and npm from Debian only where none is installed: a machine may already have a newer
      # Node.js (e.g. NodeSource's, which bundles npm and conflicts with Debian's npm package).
      command -v node >/dev/null 2>&1 || packages+=(nodejs)
      command -v npm >/dev/null 2>&1 || packages+=(npm)
      ;;
    --fuzz) packages+=(clang libclang-rt-dev llvm) ;;  # llvm: llvm-symbolizer, for readable stacks
    *) echo "install-deps.sh: unknown option '$arg' (--test, --fuzz)" >&2; exit 2 ;;
  esac
done
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
