#!/usr/bin/env bash
# Fine-tunes ../shared's axbert-mini, and a random-init model of the same shape, on every task
# whose data ../shared has, and prints the dev results as a Markdown table (docs/RESULTS.md).
#   bench/finetune_results.sh [OUT_DIR]      (about two hours on 2 cores; AXFORMER_THREADS=N caps threads)
# Finished runs (OUT_DIR/TASK-INIT/finetune.json) are not redone.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="${AXFORMER_SHARED:-$root/../shared}"
out="${1:-$root/build/results}"
cli="${AXFORMER_CLI:-$root/build/app/axformer}"
model="$shared/models/axbert-mini"
mkdir -p "$out"

# task, data folder, extra options (the recipe: 3 epochs, batch 32, lr 1e-4, warm-up 10%, seed 42)
runs=(
  "sst2|glue/SST-2|--max-train 4000 --epochs 2 --max-seq-len 64 --seed 1 --val-fraction 0"
  "mrpc|glue/MRPC|"
  "cola|glue/CoLA|--max-seq-len 64"
  "stsb|glue/STS-B|"
  "rte|glue/RTE|"
  "qnli|glue/QNLI-devsplit|"
  "squad|squad-v1.1-devsplit|--epochs 2 --max-train 2000"   # 2,000 of the split's 8,582 questions: 2 cores
)
# Every pretrained run first: an interrupted run still leaves the numbers that matter most.
for init in pretrained scratch; do
  for run in "${runs[@]}"; do
    IFS='|' read -r task data extra <<<"$run"
    flag=""
    [[ $init == scratch ]] && flag="--from-scratch"
    target="$out/$task-$init"
    [[ -f "$target/finetune.json" ]] && continue   # finished earlier: resume where the last run stopped
    echo "== $task ($init)" >&2
    # shellcheck disable=SC2086
    "$cli" finetune --model "$model" --task "$task" --data "$shared/data/$data" --out "$target" \
      --epochs 3 --lr 1e-4 --batch-size 32 $extra $flag ${AXFORMER_THREADS:+--threads $AXFORMER_THREADS} --quiet >/dev/null
  done
done

python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
print("| task | dev metric | axbert-mini | random init | train / val / dev examples | epochs | wall time (pretrained) | threads |")
print("|---|---|---|---|---|---|---|---|")
for task in ["sst2", "mrpc", "cola", "stsb", "rte", "qnli", "squad"]:
    try:
        p = json.load(open(os.path.join(out, f"{task}-pretrained", "finetune.json")))
        s = json.load(open(os.path.join(out, f"{task}-scratch", "finetune.json")))
    except FileNotFoundError:
        continue
    for name, value in p["dev"]["metrics"].items():
        scale = 1 if name in ("exact_match", "squad_f1") else 100
        scratch = s["dev"]["metrics"][name]
        fmt = lambda v: "n/a" if v is None else f"{v * scale:.1f}"
        print(f"| {task} | {name} | {fmt(value)} | {fmt(scratch)} | {p['train_examples']} / {p['val_examples']} / "
              f"{p['dev_examples']} | {p['settings']['epochs']} | {p['seconds'] / 60:.1f} min | {p['threads']} |")
PY
