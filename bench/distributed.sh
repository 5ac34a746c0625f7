#!/usr/bin/env bash
# Distributed evaluation (issue 11, docs/DISTRIBUTED.md): `axformer eval` on SST-2 dev and
# `axformer search` on SST-2 (axbert-mini fine-tuned on 4,000 examples, val 600), each as one
# process with every core and as one process per core over loopback (Gloo), alternately, REPEATS
# times. Checks that every run's metrics (eval) or journal (search) equal the first one-process
# run's, and prints a Markdown table of median wall times and their ratio.
#   bench/distributed.sh [RESULTS_DIR] [REPEATS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="${AXFORMER_SHARED:-$root/../shared}"
out="${1:-$root/build/results}"
repeats="${2:-3}"
cli="${AXFORMER_CLI:-$root/build/app/axformer}"
cores="$(nproc)"
data="$shared/data/glue/SST-2"
model="$out/sst2-distributed-model"
task_options=(--task sst2 --data "$data" --max-train 4000 --max-seq-len 64 --seed 1)

mkdir -p "$out"
if [[ ! -f "$model/finetune.json" ]]; then
  echo "== fine-tune axbert-mini on SST-2 (4,000 examples)" >&2
  "$cli" finetune --model "$shared/models/axbert-mini" "${task_options[@]}" --out "$model" --epochs 1 --lr 1e-4 \
    --quiet >/dev/null
fi

# run_world WORLD THREADS LOGDIR COMMAND...: the command as WORLD processes of THREADS threads each.
run_world() {
  local world="$1" threads="$2" logs="$3"
  shift 3
  mkdir -p "$logs"
  if ((world == 1)); then
    "$@" --threads "$threads" >"$logs/rank0.out" 2>"$logs/rank0.err"
    return
  fi
  local port=$((20000 + RANDOM % 20000)) pids=() rank
  for ((rank = 0; rank < world; rank++)); do
    "$@" --threads "$threads" --world-size "$world" --rank "$rank" --master "127.0.0.1:$port" \
      >"$logs/rank$rank.out" 2>"$logs/rank$rank.err" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid"; done
}

# time_run NAME WORLD THREADS COMMAND...: appends "NAME seconds" to $out/distributed-times.txt.
time_run() {
  local name="$1" world="$2" threads="$3"
  shift 3
  local start end
  start=$(date +%s.%N)
  run_world "$world" "$threads" "$out/distributed-logs/$name" "$@"
  end=$(date +%s.%N)
  awk -v name="$name" -v start="$start" -v end="$end" 'BEGIN { print name, end - start }' >>"$out/distributed-times.txt"
}

rm -f "$out/distributed-times.txt"
for ((i = 1; i <= repeats; i++)); do
  echo "== round $i of $repeats" >&2
  for setup in "1 $cores" "$cores 1"; do
    read -r world threads <<<"$setup"
    time_run "eval-$world-$i" "$world" "$threads" "$cli" eval --model "$model" "${task_options[@]}" --batch-size 32 --json --quiet
    rm -rf "$out/distributed-search-$world-$i"
    time_run "search-$world-$i" "$world" "$threads" "$cli" search --model "$model" "${task_options[@]}" --batch-size 32 \
      --out "$out/distributed-search-$world-$i" --candidate-latency-runs 0 --latency-runs 1 --quiet --json
  done
done

# Every run must have ended exactly as the first one-process run.
reference_eval="$out/distributed-logs/eval-1-1/rank0.out"
for ((i = 1; i <= repeats; i++)); do
  for world in 1 "$cores"; do
    cmp -s "$reference_eval" "$out/distributed-logs/eval-$world-$i/rank0.out" || { echo "eval-$world-$i differs" >&2; exit 1; }
    cmp -s "$out/distributed-search-1-1/journal.jsonl" "$out/distributed-search-$world-$i/journal.jsonl" ||
      { echo "search-$world-$i: journal differs" >&2; exit 1; }
  done
done

/usr/bin/python3 - "$out" "$cores" <<'PY'
import json, statistics, sys
out, cores = sys.argv[1], sys.argv[2]
times = {}
for line in open(f"{out}/distributed-times.txt"):
    name, seconds = line.split()
    kind, world, _ = name.split("-")
    times.setdefault((kind, world), []).append(float(seconds))
journal = sum(1 for _ in open(f"{out}/distributed-search-1-1/journal.jsonl")) - 1
print(f"| work | 1 process, {cores} threads (s) | {cores} processes, 1 thread each (s) | speed-up |")
print("|---|---|---|---|")
for kind, label in (("eval", "eval, SST-2 dev (872 examples)"), ("search", f"search, SST-2 val ({journal} candidates)")):
    one, many = statistics.median(times[(kind, "1")]), statistics.median(times[(kind, cores)])
    print(f"| {label} | {one:.1f} | {many:.1f} | {one / many:.2f}x |")
PY
