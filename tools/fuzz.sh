#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang + ASan + UBSan) in ./build-fuzz and runs each for
# SECONDS (default 60), one after another, then prints executions and findings per target.
#
#   tools/fuzz.sh            # every target, 60 s each
#   tools/fuzz.sh 600 csv    # only fuzz_csv, 10 minutes
#   FUZZ_RUNS=1000000 tools/fuzz.sh 3600 expr   # stop after a million inputs (or the time)
#   FUZZ_TIMEOUT=5 tools/fuzz.sh ...            # seconds one input may take (default 1; raise it on
#                                               # a loaded machine, where a 0.3 s input can take 1 s)
#
# The seeds (fuzz/corpus/<target>/) are read, never written: new coverage goes to
# build-fuzz/corpus/<target>/, crashes to build-fuzz/findings/<target>/ (crash-*, timeout-*,
# oom-*, leak-*). A finding belongs in tests/regression/<target>/ once fixed (fuzz/README.md).
# Exit status: 0 when no target found anything.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(safetensors csv idx train_config train_set checkpoint expr serve)

# clang with libFuzzer; everything else the library needs is there if the normal build works.
if ! command -v clang++ >/dev/null 2>&1 || ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  bash tools/install-deps.sh --fuzz
fi
launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
CC=clang CXX=clang++ cmake -S fuzz -B build-fuzz -G Ninja -DNABLA_FUZZ=ON "${launcher[@]}" >/dev/null
cmake --build build-fuzz -j"${FUZZ_JOBS:-$(nproc)}" --target "${targets[@]/#/fuzz_}"

# Sanitizer reports as crashes, with symbolized stacks; a leak is a finding too.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
runs=()
[ -n "${FUZZ_RUNS:-}" ] && runs=(-runs="$FUZZ_RUNS")

summary=()
status=0
for t in "${targets[@]}"; do
  corpus="build-fuzz/corpus/$t" findings="build-fuzz/findings/$t" log="build-fuzz/fuzz_$t.log"
  mkdir -p "$corpus" "$findings"
  dict=()
  [ -f "fuzz/dict/$t.dict" ] && dict=(-dict="fuzz/dict/$t.dict")
  echo "== fuzz_$t: ${seconds}s =="
  start=$(date +%s)
  # -timeout (1 s) and -rss_limit_mb/-malloc_limit_mb 1 GB: a slower or bigger input is a finding.
  set +e
  "build-fuzz/fuzz_$t" "$corpus" "fuzz/corpus/$t" "${dict[@]}" "${runs[@]}" -max_total_time="$seconds" \
    -timeout="${FUZZ_TIMEOUT:-1}" -rss_limit_mb=1024 -malloc_limit_mb=1024 -print_final_stats=1 \
    -artifact_prefix="$findings/" >"$log" 2>&1
  rc=$?
  set -e
  elapsed=$(( $(date +%s) - start ))
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  [ -z "$execs" ] && execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  found=$(find "$findings" -type f | wc -l)
  if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ]; then
    status=1
    grep -E 'ERROR: |runtime error:|SUMMARY:|terminate called|what\(\):|Test unit written' "$log" | head -20 || true
  fi
  summary+=("$(printf '%-14s %6ss %12s execs %6s exec/s %5s findings (rc %s)' "$t" "$elapsed" "${execs:-?}" \
    "$(( ${execs:-0} / (elapsed > 0 ? elapsed : 1) ))" "$found" "$rc")")
done
echo
echo "== fuzz summary (logs: build-fuzz/fuzz_<target>.log, inputs: build-fuzz/findings/<target>/) =="
printf '%s\n' "${summary[@]}"
exit "$status"
