#!/usr/bin/env bash
# Installs everything nabla needs to build, test and benchmark, from Debian 12's packages.
# Skips apt entirely when every package is already installed (fast repeated runs).
# --fuzz adds clang and its libFuzzer/sanitizer runtimes, for tools/fuzz.sh (not needed by CI).
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config git
  libopenblas-dev libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libcpp-httplib-dev
  libgtest-dev libgmock-dev libbenchmark-dev libpng-dev libgif-dev
  graphviz python3 python3-numpy python3-torch
  pybind11-dev python3-pybind11  # the Python module (python/)
  python3-pytest python3-venv python3-pip python3-setuptools python3-wheel python3-sklearn  # its tests
  python3-nbclient python3-nbformat python3-ipykernel python3-ipython  # notebooks/, run headless by the tests
  chromium  # the end-to-end test of `nabla serve` (tests/serve/e2e.mjs), with node and npm:
)
# Node and npm from Debian only where none is installed: a machine may already have a newer
# Node.js (e.g. NodeSource's, which bundles npm and conflicts with Debian's npm package).
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
if [ "${1:-}" = "--fuzz" ]; then
  packages+=(clang libclang-rt-dev llvm)  # llvm: llvm-symbolizer, for readable stacks
fi
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
