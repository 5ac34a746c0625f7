#!/usr/bin/env bash
# Dynamic int8 on top of AxFormer (issue 9): for MRPC and RTE, quantizes the fine-tuned base model
# and the search's sliced variant (`apply --quantize int8`), grades all four on dev with `eval`,
# and times each against the base alternately in one `bench --compare` process (batch 1 and 32,
# sequence 128). Prints a Markdown table (docs/RESULTS.md).
#   bench/int8_results.sh [RESULTS_DIR]
# RESULTS_DIR holds bench/finetune_results.sh's models and bench/search_results.sh's outputs
# (TASK-pretrained, TASK-plan-variant-1-sliced, TASK-eval-base.json, TASK-plan-variant-1-eval.json).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="${AXFORMER_SHARED:-$root/../shared}"
out="${1:-$root/build/results}"
cli="${AXFORMER_CLI:-$root/build/app/axformer}"
threads=()
[[ -n "${AXFORMER_THREADS:-}" ]] && threads=(--threads "$AXFORMER_THREADS")

runs=("mrpc|glue/MRPC" "rte|glue/RTE")
for run in "${runs[@]}"; do
  IFS='|' read -r task data <<<"$run"
  base="$out/$task-pretrained"
  for name in base axformer; do
    model="$base"
    [[ $name == axformer ]] && model="$out/$task-plan-variant-1-sliced"
    [[ -d "$model" ]] || { echo "$model: missing; run bench/finetune_results.sh and bench/search_results.sh first" >&2; exit 1; }
    target="$out/$task-$name-int8"
    [[ -f "$out/$task-$name-int8-bench.json" ]] && continue
    echo "== $task: $name + int8" >&2
    "$cli" apply --model "$model" --quantize int8 --out "$target" --json >"$out/$task-$name-int8-apply.json"
    "$cli" eval --model "$target" --task "$task" --data "$shared/data/$data" "${threads[@]}" --quiet --json >"$out/$task-$name-int8-eval.json"
    "$cli" bench --model "$base" --compare "$target" "${threads[@]}" --json >"$out/$task-$name-int8-bench.json.part"
    mv "$out/$task-$name-int8-bench.json.part" "$out/$task-$name-int8-bench.json"
  done
done

/usr/bin/python3 - "$out" "$root/bench" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
from results_table import dev_metric as metric, loader
load = loader(sys.argv[1])
print("| task | model | dev (MRPC: accuracy / F1) | MB on disk | speed-up b1 | speed-up b32 |")
print("|---|---|---|---|---|---|")
for task in ("mrpc", "rte"):
    base_bench = load(f"{task}-plan-variant-1-bench.json")["results"]
    rows = [("base", load(f"{task}-eval-base.json"), base_bench[0]["base"]["bytes_on_disk"], None),
            ("AxFormer (variant)", load(f"{task}-plan-variant-1-eval.json"), base_bench[0]["compare"]["bytes_on_disk"], base_bench)]
    for name, label in (("base", "base + int8"), ("axformer", "AxFormer + int8")):
        bench = load(f"{task}-{name}-int8-bench.json")["results"]
        rows.append((label, load(f"{task}-{name}-int8-eval.json"), bench[0]["compare"]["bytes_on_disk"], bench))
    for label, result, size, bench in rows:
        speed = ("1.00x", "1.00x") if bench is None else tuple(f"{r['speedup']:.2f}x" for r in bench)
        print(f"| {task.upper()} | {label} | {metric(result, task)} | {size / 1e6:.1f} | {speed[0]} | {speed[1]} |")
PY
