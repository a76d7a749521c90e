#!/usr/bin/env bash
# The whole test suite: installs the test dependencies if missing, builds everything (tests and
# benchmarks included), runs every test under ctest (the install and .deb tests included).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh --test
# playwright-core for the end-to-end test of `nabla serve`, pinned by tests/serve/package-lock.json;
# installed next to the build (not into the source tree), and again only when the lock file changes.
e2e=build/serve-e2e
if ! cmp -s tests/serve/package-lock.json "$e2e/package-lock.json" || [ ! -d "$e2e/node_modules/playwright-core" ]; then
  mkdir -p "$e2e"
  cp tests/serve/package.json tests/serve/package-lock.json "$e2e/"
  (cd "$e2e" && npm ci --no-audit --no-fund --loglevel=error)
fi
bash tools/build.sh -DNABLA_BUILD_TESTS=ON -DNABLA_BUILD_BENCH=ON
(cd build && ctest --output-on-failure -j"$(nproc)")
# The Python module's tests (tests/python, PyTorch as the oracle), on Debian's Python.
if grep -q '^NABLA_BUILD_PYTHON:BOOL=ON' build/CMakeCache.txt; then
  /usr/bin/python3 -m pytest tests/python -q -p no:cacheprovider
fi
# In CI, as root (a throw-away machine): the .deb that ctest deb_package built (build/deb)
# installed with apt, then its nabla and its Python module used from /usr, outside the source
# tree (/usr/local's copy, which tools/build.sh installed, left out of the Python path so that
# the package's is the one tested).
if [ "${CI:-}" = "true" ] && [ "$(id -u)" -eq 0 ]; then
  version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' build/CMakeCache.txt)  # the .deb: ctest deb_package
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "./build/deb/nabla_${version}_amd64.deb"
  (cd "$(mktemp -d)" && /usr/bin/nabla demo xor)
  (cd / && /usr/bin/python3 -c "
import sys; sys.path = [p for p in sys.path if not p.startswith('/usr/local/')]
import nabla; assert nabla.__file__.startswith('/usr/lib/python3/dist-packages/'), nabla.__file__
print('the .deb\'s Python module:', nabla.__version__, nabla.__file__)")
fi
# In CI (CI=true) or when asked (NABLA_SANITIZE=1): the library and the whole suite again under
# AddressSanitizer + UndefinedBehaviorSanitizer, in build-asan (tools/sanitize.sh).
if [ "${CI:-}" = "true" ] || [ "${NABLA_SANITIZE:-0}" = "1" ]; then
  bash tools/sanitize.sh
fi
