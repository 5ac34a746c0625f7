#!/usr/bin/env bash
# Peak memory (maximum resident set) of `axformer eval` on the largest bundled dev sets, SQuAD
# v1.1 dev and QNLI dev, against the number of examples evaluated. Evaluation runs the model one
# batch at a time, so the peak should stay flat as the set grows; what does grow is the encoded
# token ids and the logits kept for scoring (SQuAD).
#   bench/eval_memory.sh [MODEL_DIR] [SHARED_DIR]    (docs/BENCHMARKS.md used axbert-mini)
# The model gets its task heads from a fine-tune on 32 training examples: the figures are about
# memory, not accuracy. The last rows run 1,000 SQuAD questions with and without the trim after
# each batch (core/common/freed_memory.h), side by side: "without" preloads a malloc_trim that
# does nothing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cli="${AXFORMER_CLI:-$root/build/app/axformer}"
shared="${2:-${AXFORMER_SHARED:-$root/../shared}}"
model="${1:-$shared/models/axbert-mini}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

head_for() {  # task data -> a model folder with the task's head
  "$cli" finetune --model "$model" --task "$1" --data "$2" --out "$work/$1" --epochs 1 --max-train 32 --max-eval 1 \
    --val-fraction 0 --max-seq-len 128 --quiet >/dev/null
}

peak_mib() {  # task data max-eval [preload] -> "peak MiB, seconds"
  local limit=()
  [ "$3" = all ] || limit=(--max-eval "$3")
  LD_PRELOAD="${4:-}" /usr/bin/time -f '%M %e' -o "$work/time" "$cli" eval --model "$work/$1" --task "$1" --data "$2" \
    --max-seq-len 384 "${limit[@]}" --json >/dev/null
  read -r kib seconds <"$work/time"
  echo "$((kib / 1024)) MiB | ${seconds} s"
}

echo "model $(basename "$model"), max-seq-len 384, batch 64, $(nproc) threads"
echo
echo "| dev set | examples evaluated | peak resident memory | wall time |"
echo "|---|---|---|---|"
head_for squad "$shared/data/squad-v1.1/dev-v1.1.json"
head_for qnli "$shared/data/glue/QNLI-devsplit"
for count in 100 1000 all; do
  echo "| SQuAD v1.1 dev | $count | $(peak_mib squad "$shared/data/squad-v1.1/dev-v1.1.json" "$count") |"
done
for count in 100 1000 all; do
  echo "| QNLI dev | $count | $(peak_mib qnli "$shared/data/glue/QNLI" "$count") |"
done
echo 'int malloc_trim(unsigned long pad) { (void)pad; return 0; }' >"$work/notrim.c"
cc -shared -fPIC -o "$work/notrim.so" "$work/notrim.c"
for round in 1 2; do
  echo "| SQuAD v1.1 dev, trimmed after each batch (round $round) | 1000 | $(peak_mib squad "$shared/data/squad-v1.1/dev-v1.1.json" 1000) |"
  echo "| SQuAD v1.1 dev, glibc's default: no trim (round $round) | 1000 | $(peak_mib squad "$shared/data/squad-v1.1/dev-v1.1.json" 1000 "$work/notrim.so") |"
done
