#!/usr/bin/env bash
# W4 and W5, data-parallel: 1 rank x 1 thread, 2 ranks x 1 thread (reductions overlapping
# backward, then without overlap), 1 rank x 2 threads, in alternation (ROUNDS rounds), one JSON
# line each. Needs an idle machine (check `uptime`). Every rank gets exactly the threads asked
# for: nabla's pool and OpenBLAS's (each run is a fresh process, so nothing carries over).
#   bash bench/distributed/run.sh build [ROUNDS] [W4_STEPS] [W5_STEPS]
set -euo pipefail
build=${1:-build} rounds=${2:-3} w4_steps=${3:-60} w5_steps=${4:-6}
bench=$build/nabla_dp_bench
for round in $(seq "$rounds"); do
  for w in W4 W5; do
    steps=$w4_steps
    [ "$w" = W5 ] && steps=$w5_steps
    for cfg in "1 1" "2 1" "2 1 no-overlap" "1 2"; do
      set -- $cfg
      mpirun --allow-run-as-root --oversubscribe --bind-to none -np "$1" -x NABLA_NUM_THREADS="$2" \
        -x OPENBLAS_NUM_THREADS="$2" "$bench" "$w" "$steps" 0 ${3:-}
    done
  done
done
