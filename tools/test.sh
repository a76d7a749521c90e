#!/usr/bin/env bash
# The whole test suite: installs dependencies if missing, builds, runs every test under ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
# playwright-core for the end-to-end test of `nabla serve`, pinned by tests/serve/package-lock.json;
# installed next to the build (not into the source tree), and again only when the lock file changes.
e2e=build/serve-e2e
if ! cmp -s tests/serve/package-lock.json "$e2e/package-lock.json" || [ ! -d "$e2e/node_modules/playwright-core" ]; then
  mkdir -p "$e2e"
  cp tests/serve/package.json tests/serve/package-lock.json "$e2e/"
  (cd "$e2e" && npm ci --no-audit --no-fund --loglevel=error)
fi
bash tools/build.sh
(cd build && ctest --output-on-failure -j"$(nproc)")
# The Python module's tests (tests/python, PyTorch as the oracle), on Debian's Python.
if grep -q '^NABLA_BUILD_PYTHON:BOOL=ON' build/CMakeCache.txt; then
  /usr/bin/python3 -m pytest tests/python -q -p no:cacheprovider
fi
# In CI (CI=true) or when asked (NABLA_SANITIZE=1): the library and the whole suite again under
# AddressSanitizer + UndefinedBehaviorSanitizer, in build-asan (tools/sanitize.sh).
if [ "${CI:-}" = "true" ] || [ "${NABLA_SANITIZE:-0}" = "1" ]; then
  bash tools/sanitize.sh
fi
