#!/usr/bin/env bash
# Builds the library, the nabla command and the whole test suite with AddressSanitizer +
# UndefinedBehaviorSanitizer (gcc, -DNABLA_SANITIZE=ON) in ./build-asan and runs ctest there.
# Any sanitizer report fails its test (-fno-sanitize-recover=all, abort_on_error).
#
#   tools/sanitize.sh                   # everything
#   tools/sanitize.sh -R 'Csv|Fuzz'     # extra arguments go to ctest
#
# -O1 -g with assertions on: the sanitizers' own slowdown dominates, and -O1 compiles much faster
# than -O3 on CI's two cores while keeping stacks readable. The benchmarks are left out (they are
# timing code; their smoke test runs in the normal build), and so is the Python module (its tests
# run on the normal build: a sanitized extension would need the sanitizer runtime preloaded into Python).
set -euo pipefail
cd "$(dirname "$0")/.."
launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
CC=gcc CXX=g++ cmake -S . -B build-asan -G Ninja -DNABLA_SANITIZE=ON -DNABLA_BUILD_BENCH=OFF -DNABLA_BUILD_PYTHON=OFF \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" "${launcher[@]}" >/dev/null
cmake --build build-asan -j"$(nproc)"
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
cd build-asan
ctest --output-on-failure -j"$(nproc)" "$@"
