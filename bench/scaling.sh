#!/usr/bin/env bash
# Latency against sequence length (batch 1) and against batch (sequence 128) for one model, as a
# Markdown table with ms per sequence, so that the cost per sequence shows what batching buys, and
# the peak memory (GNU time's maximum resident set) of each `axformer bench` process.
#   bench/scaling.sh MODEL_DIR [THREADS]      (docs/BENCHMARKS.md used a random BERT-Mini)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cli="${AXFORMER_CLI:-$root/build/app/axformer}"
model="${1:?usage: bench/scaling.sh MODEL_DIR [THREADS]}"
threads="${2:-$(nproc)}"

peak="$(mktemp)"
trap 'rm -f "$peak"' EXIT
measure() {  # batch seq -> "median ms" and "peak MiB"
  /usr/bin/time -f %M -o "$peak" "$cli" bench --model "$model" --batch "$1" --seq-len "$2" --threads "$threads" --runs 7 --json |
    /usr/bin/python3 -c 'import json, sys; print("%.2f" % json.load(sys.stdin)["latency_ms_median"])'
  echo $(($(tail -1 "$peak") / 1024))
}

echo "threads $threads, median of 7 runs"
echo
echo "| batch | seq | ms | ms per sequence | peak MiB |"
echo "|---|---|---|---|---|"
for seq in 32 64 128 256 512; do
  { read -r ms; read -r mib; } < <(measure 1 "$seq")
  echo "| 1 | $seq | $ms | $ms | $mib |"
done
for batch in 2 4 8 16 32 64; do
  { read -r ms; read -r mib; } < <(measure "$batch" 128)
  echo "| $batch | 128 | $ms | $(/usr/bin/python3 -c "print('%.2f' % ($ms / $batch))") | $mib |"
done
