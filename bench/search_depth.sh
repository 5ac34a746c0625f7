#!/usr/bin/env bash
# Search cost against depth (issue 8): the layer cache can only skip the layers below a candidate,
# so its saving grows with the number of layers. Two models of BERT-Mini width (hidden 256, 4
# heads, FFN 1024), 4 and 12 layers, made the same way (a 1-step pretrain from random weights,
# then one epoch of SST-2 on 4,000 examples), each searched on a val split cut to VAL examples
# (the method exactly, no latency timing). The search loop's wall time is compared with what
# evaluating every candidate by a full val pass would take: (candidates + 1) x one val pass, a val
# pass timed as `eval --split val` minus an `eval` of one batch (start, load, tokenization),
# medians of 3. Prints a Markdown table (docs/BENCHMARKS.md).
#   bench/search_depth.sh [RESULTS_DIR] [VAL]      (about 15 minutes on 2 cores)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="${AXFORMER_SHARED:-$root/../shared}"
out="${1:-$root/build/results}/search-depth"
val="${2:-200}"
cli="${AXFORMER_CLI:-$root/build/app/axformer}"
task=(--task sst2 --data "$shared/data/glue/SST-2" --max-train 4000 --max-seq-len 64 --seed 1)
mkdir -p "$out"
[[ -f "$out/corpus.txt" ]] || tail -n +2 "$shared/data/glue/SST-2/train.tsv" | cut -f1 | head -20000 >"$out/corpus.txt"

seconds() { /usr/bin/time -f %e -o "$out/time" "$@" >/dev/null && cat "$out/time"; }

for layers in 4 12; do
  model="$out/model-$layers"
  if [[ ! -f "$model/finetune.json" ]]; then
    echo "== $layers layers: make the model" >&2
    mkdir -p "$out/shape-$layers"
    cp "$shared/vocab/bert-base-uncased/vocab.txt" "$out/shape-$layers/vocab.txt"
    cat >"$out/shape-$layers/config.json" <<EOF
{"model_type": "bert", "vocab_size": 30522, "hidden_size": 256, "num_hidden_layers": $layers, "num_attention_heads": 4,
 "intermediate_size": 1024, "max_position_embeddings": 512, "type_vocab_size": 2, "hidden_act": "gelu",
 "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "layer_norm_eps": 1e-12}
EOF
    "$cli" pretrain --corpus "$out/corpus.txt" --config "$out/shape-$layers/config.json" --out "$out/pretrained-$layers" \
      --steps 1 --batch-size 8 --max-seq-len 64 --quiet >/dev/null
    "$cli" finetune --model "$out/pretrained-$layers" "${task[@]}" --out "$model" --epochs 1 --lr 1e-4 --quiet >/dev/null
  fi
  [[ -f "$out/search-$layers.json" ]] && continue
  echo "== $layers layers: eval and search" >&2
  for run in 1 2 3; do
    seconds "$cli" eval --model "$model" "${task[@]}" --split val --max-eval "$val" --quiet --json >"$out/eval-$layers-$run.s"
    seconds "$cli" eval --model "$model" "${task[@]}" --split val --max-eval 1 --quiet --json >"$out/start-$layers-$run.s"
  done
  rm -rf "$out/run-$layers"
  "$cli" search --model "$model" "${task[@]}" --max-eval "$val" --out "$out/run-$layers" --latency-runs 1 \
    --candidate-latency-runs 0 --quiet --json >"$out/search-$layers.json"
done

/usr/bin/python3 - "$out" <<'PY'
import json, statistics, sys
out = sys.argv[1]
print("| layers | candidates | search loop s | one val pass s | full passes would take s | saved | layer passes run / needed |")
print("|---|---|---|---|---|---|---|")
for layers in (4, 12):
    median = lambda kind: statistics.median(float(open(f"{out}/{kind}-{layers}-{run}.s").read()) for run in (1, 2, 3))
    one = median("eval") - median("start")
    search = json.load(open(f"{out}/search-{layers}.json"))
    full = (search["candidates"] + 1) * one
    print(f"| {layers} | {search['candidates']} | {search['seconds']:.1f} | {one:.2f} | {full:.1f} | "
          f"{100 * (1 - search['seconds'] / full):.0f}% | {search['layer_passes']} / {search['naive_layer_passes']} |")
PY
