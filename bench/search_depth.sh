#!/usr/bin/env bash
# Search cost against depth (issue 8): the layer cache can only skip the layers below a candidate,
# so its saving grows with the number of layers. Two models made the same way but for depth:
# axbert-mini (4 layers) and axbert-mini with its 4 layers stacked three times (12 layers, BERT-Mini
# width), each fine-tuned for one epoch on 4,000 SST-2 examples, then searched (the method exactly,
# val 600, no latency timing) with the layer cache and without it (--no-layer-cache: every
# candidate a full val pass), alternately, ROUNDS times each (default 2 for 4 layers, 1 for 12;
# ROUNDS_4 and ROUNDS_12 set one depth's). A rerun adds only the runs missing from RESULTS_DIR.
# Compares the two search loops' wall times, checks that their journals are byte-identical, and
# counts the (batch, layer) passes run against those full passes need. Prints a Markdown table
# (docs/BENCHMARKS.md).
#   bench/search_depth.sh [RESULTS_DIR]      (about 25 minutes on 2 cores)
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
  depth_rounds="ROUNDS_$layers"
  rounds="${!depth_rounds:-${ROUNDS:-$((layers == 4 ? 2 : 1))}}"
  for ((round = 1; round <= rounds; ++round)); do
    for cache in with without; do
      name="$layers-$cache-$round"
      [[ -f "$out/search-$name.json" ]] && continue
      echo "== $layers layers: search $cache the layer cache, round $round" >&2
      switch=()
      [[ $cache == with ]] || switch=(--no-layer-cache)
      rm -rf "$out/run-$name"
      /usr/bin/time -f %M -o "$out/peak-$name.kib" \
        "$cli" search --model "$model" "${task[@]}" --out "$out/run-$name" --latency-runs 1 --candidate-latency-runs 0 \
        "${switch[@]}" --quiet --json >"$out/search-$name.json"
    done
  done
done

/usr/bin/python3 - "$out" <<'PY'
import filecmp, glob, json, statistics, sys
out = sys.argv[1]
print("| layers | dev accuracy | candidates | loop s with the cache (runs) | without (runs) | time saved | journals | "
      "layer work run / needed | work saved | reused: attention outputs, weights, FFN activations, layer inputs, layer outputs | peak MiB with / without |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for layers in (4, 12):
    runs = {cache: [json.load(open(f)) for f in sorted(glob.glob(f"{out}/search-{layers}-{cache}-*.json"))]
            for cache in ("with", "without")}
    seconds = {cache: [r["seconds"] for r in runs[cache]] for cache in runs}
    cached, uncached = statistics.median(seconds["with"]), statistics.median(seconds["without"])
    journals = sorted(glob.glob(f"{out}/run-{layers}-*/journal.jsonl"))
    same = all(filecmp.cmp(journals[0], j, shallow=False) for j in journals[1:])
    work = runs["with"][0]["layer_work"]
    peak = {cache: max(int(open(f).read()) for f in glob.glob(f"{out}/peak-{layers}-{cache}-*.kib")) / 1024 for cache in runs}
    dev = json.load(open(f"{out}/model-{layers}/finetune.json"))["dev"]["metrics"]["accuracy"]
    print(f"| {layers} | {dev:.3f} | {runs['with'][0]['candidates']} | {cached:.1f} ({', '.join(f'{s:.1f}' for s in seconds['with'])}) | "
          f"{uncached:.1f} ({', '.join(f'{s:.1f}' for s in seconds['without'])}) | **{100 * (1 - cached / uncached):.0f}%** | "
          f"{'identical' if same else 'DIFFER'} ({len(journals)}) | {work['passes']:.0f} / {work['naive_passes']} | "
          f"{100 * (1 - work['passes'] / work['naive_passes']):.1f}% | {work['reused_attention_outputs']}, "
          f"{work['reused_attention_weights']}, {work['reused_ffn_activations']}, {work['restored_layer_inputs']}, "
          f"{work['reused_layer_outputs']} | "
          f"{peak['with']:.0f} / {peak['without']:.0f} |")
PY
