#!/usr/bin/env bash
# The whole menu on one Pareto front (issue 9): for MRPC and RTE, resumes a copy of
# bench/search_results.sh's search (the same settings and variant, so every decision comes from its
# journal) with `--int8 --distill 2`, and prints each search's final configuration beside its int8
# and distilled points from pareto.json as a Markdown table (docs/RESULTS.md).
#   bench/option_points.sh [RESULTS_DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="${AXFORMER_SHARED:-$root/../shared}"
out="${1:-$root/build/results}"
cli="${AXFORMER_CLI:-$root/build/app/axformer}"
threads=(${AXFORMER_THREADS:+--threads "$AXFORMER_THREADS"})
variant="tolerance=0.02,no-hard-attention"  # bench/search_results.sh's

for run in "mrpc|glue/MRPC" "rte|glue/RTE"; do
  IFS='|' read -r task data <<<"$run"
  search="$out/$task-search"
  [[ -f "$search/journal.jsonl" ]] || { echo "$search: missing; run bench/search_results.sh first" >&2; exit 1; }
  menu="$out/$task-menu"
  [[ -f "$menu/pareto.json" ]] && grep -q '"distilled"' "$menu/pareto.json" && continue
  echo "== $task: the search's configurations, in int8 and distilled" >&2
  rm -rf "$menu"
  cp -r "$search" "$menu"
  rm -f "$menu/plan.json"  # so that the copy counts as a run to resume, not a finished one
  "$cli" search --model "$out/$task-pretrained" --task "$task" --data "$shared/data/$data" --resume "$menu" \
    --variants "$variant" --int8 --distill 2 --distill-lr 5e-5 "${threads[@]}" --quiet --json >"$menu/summary.json"
done

/usr/bin/python3 - "$out" <<'PY'
import json, sys
print("| task | configuration | applied | val metric | parameters (M) | latency ms (batch 1) |")
print("|---|---|---|---|---|---|")
for task in ("mrpc", "rte"):
    points = json.load(open(f"{sys.argv[1]}/{task}-menu/pareto.json"))["points"]
    def row(label, p):
        print(f"| {task.upper()} | {label} | {len(p['configuration'])} | {100 * p['val_metric']:.1f} | "
              f"{p['params'] / 1e6:.2f} | {p['latency_ms']:.2f} |")
    searches = {}
    for p in points:
        kind = p.get("variant", "main")
        if kind in ("int8", "distilled"):
            continue
        if p["candidate"] == "baseline" and kind == "main":
            row("baseline", p)
        if p["accepted"]:
            searches[kind] = p  # the last accepted is the search's final configuration
    for kind, final in searches.items():
        row("main search" if kind == "main" else f"variant {kind}", final)
    for kind in ("int8", "distilled"):
        for p in points:
            if p.get("variant") == kind:
                row(f"{len(p['configuration'])} applied + {kind}" if p["configuration"] else f"baseline + {kind}", p)
PY
