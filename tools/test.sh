#!/usr/bin/env bash
# The whole test suite: installs dependencies if missing, builds, runs every test under ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
bash tools/build.sh
cd build
ctest --output-on-failure -j"$(nproc)"
