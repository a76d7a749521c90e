#!/usr/bin/env bash
# `mpirun -np N nabla train` (ctest mpi_cli, label mpi): the same run as one process, files
# written by rank 0 only, a killed run resumed with another N, a config that differs between
# ranks refused before anything is written; mpirun nabla bench.
#   bash tests/distributed/cli_test.sh NABLA MPIEXEC SOURCE_DIR [bench|no-bench]
# no-bench: a build without the bench command (NABLA_BUILD_BENCH=OFF, as the sanitizer build).
set -euo pipefail
nabla=$1 mpiexec=$2 src=$3 with_bench=${4:-bench}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
mpi() { timeout 120 "$mpiexec" --allow-run-as-root --oversubscribe "$@"; }
cfg=$src/examples/circle_2_2_1.toml  # float64, mean loss, batches of 16 rows (uneven over 3 ranks)
fail() { echo "FAIL: $*" >&2; exit 1; }

# metrics.csv of two runs: the same epochs, every number within 1e-12 (relative).
same_metrics() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import csv, sys
a = list(csv.reader(open(sys.argv[1]))); b = list(csv.reader(open(sys.argv[2])))
assert a[0] == b[0] and len(a) == len(b), f"{sys.argv[1]}: {len(a)} rows, {sys.argv[2]}: {len(b)}"
for ra, rb in zip(a[1:], b[1:]):
    for h, x, y in zip(a[0], ra, rb):
        if x != y and abs(float(x) - float(y)) > 1e-12 * max(abs(float(y)), 1e-300):
            sys.exit(f"epoch {ra[0]} {h}: {x} vs {y}")
PY
}

"$nabla" train "$cfg" --out one --set train.epochs=30 -q
for np in 2 3; do
  mpi -np $np "$nabla" train "$cfg" --out np$np --set train.epochs=30 > np$np.log 2>&1 || fail "np $np: $(cat np$np.log)"
  same_metrics one/metrics.csv np$np/metrics.csv || fail "np $np: metrics differ from one process"
  # Rank 0 alone reports: one start line, one final line.
  [ "$(grep -c '^training model' np$np.log)" = 1 ] || fail "np $np: $(cat np$np.log)"
  [ "$(grep -c "^wrote np$np/model.safetensors" np$np.log)" = 1 ] || fail "np $np: $(cat np$np.log)"
done

# More ranks than rows in a batch (batches of 3 on 4 ranks: rank 3 has none): still the same run.
"$nabla" train "$cfg" --out small1 --set train.epochs=10 --set train.batch_size=3 -q
mpi -np 4 "$nabla" train "$cfg" --out small4 --set train.epochs=10 --set train.batch_size=3 -q > small4.log 2>&1 ||
  fail "empty shards: $(cat small4.log)"
same_metrics small1/metrics.csv small4/metrics.csv || fail "empty shards: metrics differ from one process"

# Rank 0 killed (SIGKILL) at epoch 15 of 30, checkpoints every 10: the job ends, the checkpoint
# of epoch 10 is intact, no model written; resumed on 3 ranks it ends as the one-process run.
# What the user sees is OpenMPI's: mpirun ends the other ranks, names the killed one and exits
# 128 + 9 (README: More than one machine).
start=$SECONDS
set +e
NABLA_TEST_KILL_AT_EPOCH=15 mpi -np 2 "$nabla" train "$cfg" --out killed --set train.epochs=30 \
    --checkpoint-every 10 > killed.log 2>&1
code=$?
set -e
[ $code = 137 ] || fail "the killed run: exit $code: $(cat killed.log)"
[ $((SECONDS - start)) -lt 30 ] || fail "the killed run took $((SECONDS - start)) s to end"
grep -q "process rank 0 with PID .* exited on signal 9" killed.log || fail "the rank is not named: $(cat killed.log)"
[ -f killed/checkpoint.safetensors ] || fail "no checkpoint after the kill"
[ ! -e killed/model.safetensors ] || fail "a model after the kill"
mpi -np 3 "$nabla" train --resume killed > resumed.log 2>&1 || fail "resume on 3 ranks: $(cat resumed.log)"
same_metrics one/metrics.csv killed/metrics.csv || fail "resumed with another N: metrics differ"

# Rank 0 hangs (SIGSTOP) after epoch 12: rank 1 gives up waiting after NABLA_DIST_TIMEOUT (3 s),
# names itself and the wait, and the job ends with exit 2; the checkpoint of epoch 10 is intact.
start=$SECONDS
set +e
NABLA_DIST_TIMEOUT=3 NABLA_TEST_HANG_AT_EPOCH=12 mpi -x NABLA_DIST_TIMEOUT -x NABLA_TEST_HANG_AT_EPOCH -np 2 \
    "$nabla" train "$cfg" --out hung --set train.epochs=30 --checkpoint-every 10 > hung.log 2>&1
code=$?
set -e
[ $code = 2 ] || fail "a hung rank: exit $code: $(cat hung.log)"
[ $((SECONDS - start)) -lt 30 ] || fail "the hung run took $((SECONDS - start)) s to end"
grep -q "rank 1: distributed: .* no answer from the other 1 rank(s) within 3 s" hung.log || fail "$(cat hung.log)"
[ -f hung/checkpoint.safetensors ] && [ ! -e hung/model.safetensors ] || fail "hung: $(ls hung)"

# A configuration that differs between the ranks: named, exit 2, nothing written.
set +e
mpi -np 1 "$nabla" train "$cfg" --out differ --set train.epochs=30 : \
    -np 1 "$nabla" train "$cfg" --out differ --set train.epochs=31 > differ.log 2>&1
code=$?
set -e
[ $code = 2 ] || fail "differing configs: exit $code: $(cat differ.log)"
grep -q "configuration differs between rank 0 and rank 1" differ.log || fail "$(cat differ.log)"
[ ! -e differ ] || fail "differing configs wrote $(ls differ)"
# mpirun nabla bench: data-parallel, rank 0 alone prints one JSON line per workload. The second
# run picks its step counts from the clock (each rank's differs): the ranks must agree or hang.
[ "$with_bench" = bench ] || { echo "mpi cli: ok (this build has no nabla bench)"; exit 0; }
for args in "--steps 3 --repeats 1 --warmup 1" "--seconds 0.05 --repeats 2"; do
  mpi -np 3 "$nabla" bench w1 w4 --json $args > bench.log 2>&1 || fail "bench $args: $(cat bench.log)"
  /usr/bin/python3 - bench.log <<'PY' || fail "bench $args: $(cat bench.log)"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert [l["workload"] for l in lines] == ["W1", "W4"], lines
for l in lines:
    assert l["ranks"] == 3 and l["mode"] == "eager" and 0 <= l["comm_share"] <= 1 and l["steps_per_s"] > 0, l
PY
done
echo "mpi cli: ok"
