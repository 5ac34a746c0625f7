#!/usr/bin/env bash
# Builds the libFuzzer targets with clang, AddressSanitizer and UndefinedBehaviorSanitizer in
# build-fuzz/ and runs each for SECONDS (default 60) from seed corpora made of real files (the
# shared GLUE, SQuAD and model files when $AXFORMER_SHARED or ../shared has them, small handmade
# seeds otherwise). A crash leaves its input in build-fuzz/crashes/ and fails the script.
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/lib/ensure_packages.sh"
# The main build's packages, clang with libFuzzer's runtime, and python3 to cut the SQuAD seed.
ensure_packages "${build_packages[@]}" clang libclang-rt-14-dev python3
seconds="${1:-60}"
build="$root/build-fuzz"
shared="${AXFORMER_SHARED:-$root/../shared}"
targets=(fuzz_safetensors fuzz_bert_config fuzz_tokenizer fuzz_glue_tsv fuzz_custom_task fuzz_squad fuzz_plan)

CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DAXFORMER_FUZZ=ON -DBUILD_TESTING=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build "$build" --target "${targets[@]}"

corpus="$build/corpus"
mkdir -p "$corpus" "$build/crashes"
for target in "${targets[@]}"; do mkdir -p "$corpus/$target"; done
# Handmade seeds: the smallest valid file of each kind.
printf '\x38\x00\x00\x00\x00\x00\x00\x00{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}  ' \
  > "$corpus/fuzz_safetensors/tiny.safetensors"
printf '\x00\x00\x80\x3f\x00\x00\x00\x40' >> "$corpus/fuzz_safetensors/tiny.safetensors"
printf '{"model_type":"bert","vocab_size":10,"hidden_size":8,"num_hidden_layers":1,"num_attention_heads":2,"intermediate_size":16}' \
  > "$corpus/fuzz_bert_config/tiny.json"
printf '{"model_type":"distilbert","vocab_size":10,"dim":8,"n_layers":1,"n_heads":2,"hidden_dim":16,"activation":"gelu","seq_classif_dropout":0.2,"pruned_heads":{"0":[1]}}' \
  > "$corpus/fuzz_bert_config/distilbert.json"
printf 'Héllo, wörld! 你好 unaffable\n[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n,\n!\nun\n##aff\n##able\nworld\n' \
  > "$corpus/fuzz_tokenizer/tiny.txt"
printf '\x01sentence\tlabel\nit is good .\t1\n' > "$corpus/fuzz_glue_tsv/sst2.tsv"
# fuzz_custom_task: the first byte picks the format (low bits: 0 TSV, 1 CSV, 2 JSONL) and options (bits 2-4).
printf '\x00text\tlabel\ngood\tpos\nbad\tneg\n' > "$corpus/fuzz_custom_task/tiny.tsv"
printf '\x0dtext,text_b,id,label\r\n"a, ""quoted""\ntext",b,1,pos\r\nc,d,2,neg\r\n' > "$corpus/fuzz_custom_task/pair.csv"
printf '\x12{"text": "a", "label": 0.5}\n\n{"label": -1, "text": "b\\u00e9"}\n' > "$corpus/fuzz_custom_task/scores.jsonl"
printf '{"version":"1.1","data":[{"title":"t","paragraphs":[{"context":"Paris is in France.","qas":[{"id":"q1","question":"Where is Paris?","answers":[{"answer_start":12,"text":"France"}]}]}]}]}' \
  > "$corpus/fuzz_squad/tiny.json"
printf '%s' '{"format":"axformer-plan","version":1,"model":{"path":"m","weights_hash":""},"task":"sst2","metric":"accuracy","val":{"seed":42,"fraction":0.15,"size":10},"top_k":4,"tolerance":0.1,"ffn_groups":2,"decisions":[{"kind":"hard_attention","layer":0,"index":-1,"source":"search","state":"applied","loss":0.3,"agree_count":7,"metric":0.9},{"kind":"head","layer":1,"index":1,"source":"user","state":"applied","loss":0.31,"agree_count":6,"metric":0.9},{"kind":"ffn_group","layer":0,"index":1,"source":"search","state":"rejected","loss":0.5,"agree_count":2,"metric":0.7},{"kind":"ffn_block","layer":1,"index":-1,"source":"search","state":"applied","loss":0.3,"agree_count":7,"metric":0.9}],"baseline":{"val_loss":0.3,"val_metric":0.9,"dev_metric":null,"params":1000,"flops":2000,"latency_ms":1.5},"approximated":null}' \
  > "$corpus/fuzz_plan/tiny.json"
# Real files, cut to what a fuzzer mutates well.
if [ -d "$shared/data" ]; then
  cp "$shared/models/axbert-mini/config.json" "$corpus/fuzz_bert_config/axbert-mini.json"
  { echo "The quick brown fox can't jump over naïve cafés: 東京!"; head -2000 "$shared/vocab/bert-base-uncased/vocab.txt"; } \
    > "$corpus/fuzz_tokenizer/bert-vocab.txt"
  for task in CoLA SST-2 MRPC STS-B QNLI RTE WNLI; do
    # the first byte picks the task in fuzz_glue_tsv's list: cola sst2 mrpc stsb qqp mnli qnli rte wnli
    case $task in CoLA) b=0;; SST-2) b=1;; MRPC) b=2;; STS-B) b=3;; QNLI) b=6;; RTE) b=7;; WNLI) b=8;; esac
    file="$shared/data/glue/$task/train.tsv"; [ -f "$file" ] || file="$shared/data/glue/$task/dev.tsv"
    { printf "\\x0$b"; head -40 "$file"; } > "$corpus/fuzz_glue_tsv/$task.tsv"
  done
  /usr/bin/python3 - "$shared/data/squad-v1.1/dev-v1.1.json" "$corpus/fuzz_squad/dev-article.json" <<'PY'
import json, sys
data = json.load(open(sys.argv[1], encoding="utf-8"))
article = data["data"][0]
article["paragraphs"] = article["paragraphs"][:2]
json.dump({"version": data["version"], "data": [article]}, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
fi

status=0
for target in "${targets[@]}"; do
  log="$build/$target.log"
  if "$build/tests/fuzz/$target" "$corpus/$target" -max_total_time="$seconds" -max_len=16384 -timeout=10 \
       -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$build/crashes/$target-" > "$log" 2>&1; then
    echo "$target: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') executions in ${seconds} s, no crash"
  else
    echo "$target: FAILED, see $log and $build/crashes/"; status=1
  fi
done
exit $status
