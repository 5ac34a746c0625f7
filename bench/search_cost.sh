#!/usr/bin/env bash
# Search cost (issue 8): the wall time of the search loop against what evaluating every candidate
# with a full val pass would cost (candidates + 1 baseline, times one `eval --split val`), for
# val sets of growing size; with each process's peak memory. Prints a Markdown table
# (docs/BENCHMARKS.md).
#   bench/search_cost.sh [RESULTS_DIR]     (about 15 minutes on 2 cores)
# RESULTS_DIR holds bench/finetune_results.sh's fine-tuned RTE model (rte-pretrained).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="${AXFORMER_SHARED:-$root/../shared}"
out="${1:-$root/build/results}"
cli="${AXFORMER_CLI:-$root/build/app/axformer}"
model="$out/rte-pretrained"
[[ -d "$model" ]] || { echo "$model: missing; run bench/finetune_results.sh first" >&2; exit 1; }
task=(--task rte --data "$shared/data/glue/RTE" --seed 42)
work="$out/search-cost"
mkdir -p "$work"

# GNU time's wall seconds and peak resident KiB of one command, its stdout kept.
timed() {
  local name=$1
  shift
  /usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" >"$work/$name.json"
}

for size in 100 200 374; do   # 374: all of RTE's val split (15% of train)
  [[ -f "$work/search-$size.json" ]] && continue
  echo "== val size $size" >&2
  for run in 1 2 3; do timed "eval-$size-$run" "$cli" eval --model "$model" "${task[@]}" --split val --max-eval "$size" --quiet --json; done
  rm -rf "$work/run-$size"
  timed "search-$size" "$cli" search --model "$model" "${task[@]}" --max-eval "$size" --out "$work/run-$size" \
    --latency-runs 1 --candidate-latency-runs 0 --quiet --json
done

/usr/bin/python3 - "$work" <<'PY'
import json, statistics, sys
work = sys.argv[1]
sizes = (100, 200, 374)
def timing(name):
    seconds, kib = open(f"{work}/{name}.time").read().split()
    return float(seconds), int(kib) / 1024
evals = {size: [timing(f"eval-{size}-{run}") for run in (1, 2, 3)] for size in sizes}
wall = {size: statistics.median(seconds for seconds, _ in evals[size]) for size in sizes}
# An eval process also starts, loads the model and tokenizes: the intercept of wall time against
# val size. Subtracted, what is left is one val pass, as the search would run it.
mean_size = sum(sizes) / len(sizes)
mean_wall = sum(wall.values()) / len(sizes)
slope = sum((n - mean_size) * (wall[n] - mean_wall) for n in sizes) / sum((n - mean_size) ** 2 for n in sizes)
overhead = mean_wall - slope * mean_size
print(f"eval process overhead (intercept): {overhead:.2f} s; {1000 * slope:.1f} ms per val example")
print()
print("| val examples | candidates | search loop s | one val pass s | full passes would take s | saved | layer work run / needed | peak MiB search / eval |")
print("|---|---|---|---|---|---|---|---|")
for size in sizes:
    search = json.load(open(f"{work}/search-{size}.json"))
    one = wall[size] - overhead
    full = (search["candidates"] + 1) * one
    print(f"| {size} | {search['candidates']} | {search['seconds']:.1f} | {one:.2f} | {full:.1f} | "
          f"{100 * (1 - search['seconds'] / full):.0f}% | {search['layer_work']['passes']:.0f} / {search['layer_work']['naive_passes']} | "
          f"{timing(f'search-{size}')[1]:.0f} / {max(kib for _, kib in evals[size]):.0f} |")
PY
