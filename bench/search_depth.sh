#!/usr/bin/env bash
# Search cost against depth (issue 8): the layer cache can only skip the layers below a candidate,
# so its saving grows with the number of layers. Two models made the same way but for depth:
# axbert-mini (4 layers) and axbert-mini with its 4 layers stacked three times (12 layers, BERT-Mini
# width), each fine-tuned for one epoch on 4,000 SST-2 examples, then searched (the method exactly,
# val 600, no latency timing). The search loop's wall time is compared with what evaluating every
# candidate by a full val pass would take: (candidates + 1) x one val pass, timed as the loop of a
# search that tries nothing (median of 3); and the (batch, layer) passes run with those needed.
# Prints a Markdown table (docs/BENCHMARKS.md).
#   bench/search_depth.sh [RESULTS_DIR]      (about 15 minutes on 2 cores)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="${AXFORMER_SHARED:-$root/../shared}"
out="${1:-$root/build/results}/search-depth"
cli="${AXFORMER_CLI:-$root/build/app/axformer}"
task=(--task sst2 --data "$shared/data/glue/SST-2" --max-train 4000 --max-seq-len 64 --seed 1)
mkdir -p "$out"
seconds() { /usr/bin/time -f %e -o "$out/time" "$@" >/dev/null && cat "$out/time"; }

# axbert-mini's layers 0-3 repeated as layers 0-11 (what "depth up-scaling" does), same embeddings.
stack_layers() {
  local folder="$1"
  mkdir -p "$folder"
  cp "$shared/models/axbert-mini/vocab.txt" "$shared/models/axbert-mini/tokenizer_config.json" \
    "$shared/models/axbert-mini/special_tokens_map.json" "$folder/"
  /usr/bin/python3 - "$shared/models/axbert-mini" "$folder" <<'PY'
import json, re, struct, sys
source, target = sys.argv[1], sys.argv[2]
config = json.load(open(f"{source}/config.json"))
depth = config["num_hidden_layers"]
config["num_hidden_layers"] = 3 * depth
json.dump(config, open(f"{target}/config.json", "w"), indent=2)
with open(f"{source}/model.safetensors", "rb") as f:
    size = struct.unpack("<Q", f.read(8))[0]
    header = json.loads(f.read(size))
    data = f.read()
tensors = {}
for name, info in header.items():
    if name == "__metadata__":
        continue
    match = re.match(r"(bert\.encoder\.layer\.)(\d+)(\..*)", name)
    copies = [name] if not match else [f"{match[1]}{int(match[2]) + depth * k}{match[3]}" for k in range(3)]
    for copy in copies:
        tensors[copy] = (info, data[info["data_offsets"][0]:info["data_offsets"][1]])
out_header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
for name, (info, blob) in tensors.items():
    out_header[name] = {"dtype": info["dtype"], "shape": info["shape"], "data_offsets": [offset, offset + len(blob)]}
    blobs.append(blob)
    offset += len(blob)
text = json.dumps(out_header).encode()
text += b" " * (-len(text) % 8)
with open(f"{target}/model.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
PY
}

for layers in 4 12; do
  model="$out/model-$layers"
  if [[ ! -f "$model/finetune.json" ]]; then
    echo "== $layers layers: make the model" >&2
    base="$shared/models/axbert-mini"
    if ((layers == 12)); then
      base="$out/axbert-mini-x3"
      [[ -f "$base/model.safetensors" ]] || stack_layers "$base"
    fi
    "$cli" finetune --model "$base" "${task[@]}" --out "$model" --epochs 1 --lr 1e-4 --quiet >/dev/null
  fi
  [[ -f "$out/search-$layers.json" ]] && continue
  echo "== $layers layers: one val pass, and the search" >&2
  # A search with every kind of element left out evaluates only the baseline: one val pass under
  # the search's own conditions (its allocator settings, the layer cache's set-up).
  for run in 1 2 3; do
    rm -rf "$out/pass-$layers-$run"
    "$cli" search --model "$model" "${task[@]}" --out "$out/pass-$layers-$run" --latency-runs 1 --candidate-latency-runs 0 \
      --no-hard-attention --no-ffn-blocks --no-ffn-groups --no-attention-blocks --no-heads --quiet --json >"$out/pass-$layers-$run.json"
  done
  rm -rf "$out/run-$layers"
  "$cli" search --model "$model" "${task[@]}" --out "$out/run-$layers" --latency-runs 1 \
    --candidate-latency-runs 0 --quiet --json >"$out/search-$layers.json"
done

/usr/bin/python3 - "$out" <<'PY'
import json, statistics, sys
out = sys.argv[1]
print("| layers | dev accuracy | candidates | search loop s | one val pass s | full passes would take s | time saved | layer passes run whole + FFN-only / needed | passes saved (FFN-only counted whole) |")
print("|---|---|---|---|---|---|---|---|---|")
for layers in (4, 12):
    one = statistics.median(json.load(open(f"{out}/pass-{layers}-{run}.json"))["seconds"] for run in (1, 2, 3))
    search = json.load(open(f"{out}/search-{layers}.json"))
    full = (search["candidates"] + 1) * one
    dev = json.load(open(f"{out}/model-{layers}/finetune.json"))["dev"]["metrics"]["accuracy"]
    print(f"| {layers} | {dev:.3f} | {search['candidates']} | {search['seconds']:.1f} | {one:.2f} | {full:.1f} | "
          f"{100 * (1 - search['seconds'] / full):.0f}% | {search['layer_passes']} + {search['ffn_only_layer_passes']} / "
          f"{search['naive_layer_passes']} | "
          f"{100 * (1 - (search['layer_passes'] + search['ffn_only_layer_passes']) / search['naive_layer_passes']):.0f}% |")
PY
