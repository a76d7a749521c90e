#!/usr/bin/env bash
# `nabla bench` W4 and W5 under mpirun: 1 rank x 1 thread, 2 ranks x 1 thread of a BEFORE and an
# AFTER binary, 1 rank x 2 threads, in alternation (ROUNDS rounds); prints steps/s of the global
# batch and the communication share (comm_share) of each run. Needs an idle machine (`uptime`).
#   bash bench/distributed/nabla_bench.sh BEFORE/nabla AFTER/nabla [ROUNDS]
set -euo pipefail
before=$1 after=$2 rounds=${3:-3}
for round in $(seq "$rounds"); do
  for w in w4 w5; do
    steps="--steps 200 --repeats 5 --warmup 20"
    [ "$w" = w5 ] && steps="--steps 4 --repeats 3 --warmup 2"
    for cfg in "1 1 $after after" "2 1 $before before" "2 1 $after after" "1 2 $after after"; do
      set -- $cfg
      json=$(mpirun --allow-run-as-root --oversubscribe --bind-to none -np "$1" -x NABLA_NUM_THREADS="$2" \
        -x OPENBLAS_NUM_THREADS="$2" "$3" bench "$w" --threads "$2" --eager $steps --json | grep '^{' | head -1)
      echo "round $round $w ranks=$1 threads=$2 $4 $(echo "$json" | /usr/bin/python3 -c \
        'import json, sys; j = json.load(sys.stdin); print("steps/s %.2f comm_share %s" % (j["steps_per_s"], j.get("comm_share")))')"
    done
  done
done
