#!/usr/bin/env bash
# A custom task against the built-in one on the same data: MRPC from ../shared rewritten as the
# CSV a user would bring (Python's csv quoting, other column names, text labels, an id column),
# fine-tuned with `--task custom` and with `--task mrpc`; then eval and score of the custom model.
# Prints both dev results: they must be identical (docs/RESULTS.md).
#   bench/custom_task_parity.sh [OUT_DIR]      (about 5 minutes on 2 cores)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="${AXFORMER_SHARED:-$root/../shared}"
out="${1:-$root/build/custom-task-parity}"
cli="${AXFORMER_CLI:-$root/build/app/axformer}"
model="$shared/models/axbert-mini"
mkdir -p "$out/data"

/usr/bin/python3 - "$shared/data/glue/MRPC" "$out/data" <<'PY'
import csv, sys
source, target = sys.argv[1], sys.argv[2]
for split in ("train", "dev"):
    with open(f"{source}/{split}.tsv", encoding="utf-8-sig") as tsv:
        rows = list(csv.reader(tsv, delimiter="\t", quoting=csv.QUOTE_NONE))
    with open(f"{target}/{split}.csv", "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["pair_id", "first", "second", "relation"])
        for quality, id1, id2, first, second in rows[1:]:
            writer.writerow([f"{id1}-{id2}", first, second, "paraphrase" if quality == "1" else "different"])
PY

recipe=(--epochs 1 --lr 1e-4 --quiet --json)
custom=(--task custom --data "$out/data" --text-column first --text-pair-column second --label-column relation
        --id-column pair_id --metric f1)
"$cli" finetune --model "$model" --task mrpc --data "$shared/data/glue/MRPC" --out "$out/mrpc" "${recipe[@]}" > "$out/mrpc.json"
"$cli" finetune --model "$model" "${custom[@]}" --out "$out/custom" "${recipe[@]}" > "$out/custom.json"
"$cli" eval --model "$out/custom" "${custom[@]}" --predictions "$out/predictions.tsv" --json > "$out/eval.json"
"$cli" score "${custom[@]}" --predictions "$out/predictions.tsv" --json > "$out/score.json"

/usr/bin/python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
builtin = json.load(open(f"{out}/mrpc.json"))["dev"]
custom = json.load(open(f"{out}/custom.json"))["dev"]
evaluated = json.load(open(f"{out}/eval.json"))
scored = json.load(open(f"{out}/score.json"))
print("| run | dev loss | accuracy | F1 |")
print("|---|---|---|---|")
for name, result in (("--task mrpc (GLUE TSV)", builtin), ("--task custom (CSV), finetune", custom),
                     ("--task custom, eval", evaluated), ("--task custom, score of eval's predictions", scored)):
    loss = f"{result['loss']:.6f}" if "loss" in result else "-"
    print(f"| {name} | {loss} | {100 * result['metrics']['accuracy']:.2f} | {100 * result['metrics']['f1']:.2f} |")
same = builtin["loss"] == custom["loss"] and all(builtin["metrics"][m] == custom["metrics"][m] for m in builtin["metrics"])
print("identical" if same else "DIFFERENT")
sys.exit(0 if same else 1)
PY
