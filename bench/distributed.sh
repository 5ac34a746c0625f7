#!/usr/bin/env bash
# Distributed evaluation (issue 11, docs/DISTRIBUTED.md): `axformer eval` (SST-2 dev, and 6,000
# held-out SST-2 train sentences) and `axformer search` on SST-2 (axbert-mini fine-tuned on 4,000
# examples, val 600), each as one process on one core, one process on every core, and one process
# per core over loopback (Gloo), in turn, REPEATS times. Checks the results (below) and prints a
# Markdown table of median wall times (start-up included) and their ratios.
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

# The three set-ups: one process on one core, one process on every core, one process per core.
setups=("1 1" "1 $cores" "$cores 1")
rm -f "$out/distributed-times.txt"
for ((i = 1; i <= repeats; i++)); do
  echo "== round $i of $repeats" >&2
  for setup in "${setups[@]}"; do
    read -r world threads <<<"$setup"
    name="$world-$threads-$i"
    time_run "eval-$name" "$world" "$threads" "$cli" eval --model "$model" "${task_options[@]}" --batch-size 32 --json --quiet
    time_run "evalval-$name" "$world" "$threads" "$cli" eval --model "$model" --task sst2 --data "$data" --split val \
      --max-train 40000 --max-seq-len 64 --seed 1 --batch-size 32 --json --quiet
    rm -rf "$out/distributed-search-$name"
    time_run "search-$name" "$world" "$threads" "$cli" search --model "$model" "${task_options[@]}" --batch-size 32 \
      --out "$out/distributed-search-$name" --candidate-latency-runs 0 --latency-runs 1 --quiet --json
  done
done

# Results depend on the threads per process (LibTorch's parallel sums group by thread), not on the
# number of processes: every run must equal, byte for byte, the first run with as many threads per
# process; and all must take the same decisions.
same() { cmp -s "$1" "$2" || { echo "$2 differs from $1" >&2; exit 1; }; }
for ((i = 1; i <= repeats; i++)); do
  for setup in "${setups[@]}"; do
    read -r world threads <<<"$setup"
    reference="1-$threads-1"
    for kind in eval evalval; do
      same "$out/distributed-logs/$kind-$reference/rank0.out" "$out/distributed-logs/$kind-$world-$threads-$i/rank0.out"
    done
    same "$out/distributed-search-$reference/journal.jsonl" "$out/distributed-search-$world-$threads-$i/journal.jsonl"
    /usr/bin/python3 -c 'import json, sys
d = lambda f: [(x["kind"], x["layer"], x["index"], x["state"]) for x in json.load(open(f))["decisions"]]
sys.exit(d(sys.argv[1]) != d(sys.argv[2]))' \
      "$out/distributed-search-1-1-1/plan.json" "$out/distributed-search-$world-$threads-$i/plan.json" ||
      { echo "distributed-search-$world-$threads-$i: other decisions" >&2; exit 1; }
  done
done

/usr/bin/python3 - "$out" "$cores" <<'PY'
import json, statistics, sys
out, cores = sys.argv[1], sys.argv[2]
times = {}
for line in open(f"{out}/distributed-times.txt"):
    name, seconds = line.split()
    kind, world, threads, _ = name.split("-")
    times.setdefault((kind, f"{world}-{threads}"), []).append(float(seconds))
journal = sum(1 for _ in open(f"{out}/distributed-search-1-1-1/journal.jsonl")) - 1
examples = {kind: json.load(open(f"{out}/distributed-logs/{kind}-1-1-1/rank0.out"))["examples"] for kind in ("eval", "evalval")}
print(f"| work | 1 process, 1 thread (s) | 1 process, {cores} threads (s) | {cores} processes, 1 thread each (s) "
      f"| {cores} processes against 1 process, {cores} threads | against 1 thread |")
print("|---|---|---|---|---|---|")
labels = (("eval", f"eval, SST-2 dev ({examples['eval']:,} sentences)"),
          ("evalval", f"eval, {examples['evalval']:,} held-out SST-2 train sentences"),
          ("search", f"search, SST-2 val ({journal} candidates)"))
for kind, label in labels:
    one, all_cores, many = (statistics.median(times[(kind, setup)]) for setup in ("1-1", f"1-{cores}", f"{cores}-1"))
    print(f"| {label} | {one:.1f} | {all_cores:.1f} | {many:.1f} | {all_cores / many:.2f}x | {one / many:.2f}x |")
PY
