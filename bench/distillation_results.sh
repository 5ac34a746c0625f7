#!/usr/bin/env bash
# AxFormer + distillation against plain re-fine-tuning (issue 9): for MRPC and RTE, re-fine-tunes
# the search's sliced variant twice with the same recipe, once plainly and once with the fine-tuned
# base model as teacher (`finetune --teacher`), and prints their dev results beside the base's and
# the sliced model's as a Markdown table (docs/RESULTS.md).
#   bench/distillation_results.sh [RESULTS_DIR]
# RESULTS_DIR holds bench/finetune_results.sh's and bench/search_results.sh's outputs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="${AXFORMER_SHARED:-$root/../shared}"
out="${1:-$root/build/results}"
cli="${AXFORMER_CLI:-$root/build/app/axformer}"
threads=()
[[ -n "${AXFORMER_THREADS:-}" ]] && threads=(--threads "$AXFORMER_THREADS")
recipe=(--epochs 2 --lr 5e-5 --seed 42 --quiet --json)

for run in "mrpc|glue/MRPC" "rte|glue/RTE"; do
  IFS='|' read -r task data <<<"$run"
  sliced="$out/$task-plan-variant-1-sliced"
  [[ -d "$sliced" ]] || { echo "$sliced: missing; run bench/search_results.sh first" >&2; exit 1; }
  for how in plain distilled; do
    target="$out/$task-axformer-$how"
    [[ -f "$target/finetune.json" ]] && continue
    echo "== $task: re-fine-tune the sliced model, $how" >&2
    teacher=()
    [[ $how == distilled ]] && teacher=(--teacher "$out/$task-pretrained" --temperature 2 --distill-alpha 0.5)
    "$cli" finetune --model "$sliced" --task "$task" --data "$shared/data/$data" --out "$target" "${recipe[@]}" \
      "${teacher[@]}" "${threads[@]}" >/dev/null
  done
done

/usr/bin/python3 - "$out" "$root/bench" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
from results_table import dev_metric as metric, loader
load = loader(sys.argv[1])
print("| task | model | dev (MRPC: accuracy / F1) |")
print("|---|---|---|")
for task in ("mrpc", "rte"):
    rows = [("base", load(f"{task}-eval-base.json")), ("AxFormer (variant), sliced", load(f"{task}-plan-variant-1-eval.json")),
            ("AxFormer + re-fine-tuning", load(f"{task}-axformer-plain/finetune.json")["dev"]),
            ("AxFormer + distillation from the base", load(f"{task}-axformer-distilled/finetune.json")["dev"])]
    for label, result in rows:
        print(f"| {task.upper()} | {label} | {metric(result, task)} |")
PY
