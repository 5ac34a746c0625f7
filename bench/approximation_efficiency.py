#!/usr/bin/python3
"""Do the removed FLOPs come back as speed? Speed-up of sliced models against their FLOP reduction.

For BERT-base and BERT-Mini shapes (random weights, written as by bench/peer_pytorch.py) it writes
plans that remove heads, FFN neuron groups and whole blocks, or harden attention, slices each model
with `axformer apply` (the physical removal a user exports), and measures the original and the
sliced model in turns of a few forwards in one `axformer bench --compare` process. Efficiency = speed-up / FLOP
ratio: 1.0 means a model with 40% fewer FLOPs runs 40% faster; the target is >= 0.9. The last
column is that `bench` process's peak resident memory, both models loaded.

    /usr/bin/python3 bench/approximation_efficiency.py [--threads 2] [--runs 10] [--demo DEMO_DIR]

--demo DEMO_DIR adds the built-in demo's own plan (DEMO_DIR/search/plan.json, see `axformer demo`).
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import peer_pytorch as peer  # noqa: E402  (the same model folders)

ROOT = pathlib.Path(__file__).resolve().parent.parent


def plans(layers, heads):
    """name -> decisions (kind, layer, index) to apply; FFN groups = heads, as the search's default."""
    half = list(range(heads // 2))
    top = range(layers - layers // 3, layers)
    return {
        "half the heads of every layer": [("head", l, h) for l in range(layers) for h in half],
        "half the FFN groups of every layer": [("ffn_group", l, g) for l in range(layers) for g in half],
        "half the heads and half the FFN groups": [(k, l, i) for l in range(layers) for i in half
                                                   for k in ("head", "ffn_group")],
        "FFN blocks of the top third": [("ffn_block", l, -1) for l in top],
        "attention blocks of the top third": [("attention_block", l, -1) for l in top],
        "hard attention (k = 30) in every layer": [("hard_attention", l, -1) for l in range(layers)],
    }


def write_plan(path, decisions, heads):
    plan = {"format": "axformer-plan", "version": 1, "model": {"path": "", "weights_hash": ""}, "task": "sst2",
            "val": {"seed": 42, "fraction": 0.15, "size": 0}, "top_k": 30, "ffn_groups": heads,
            "decisions": [{"kind": k, "layer": l, "index": i, "state": "applied", "source": "user"}
                          for k, l, i in decisions]}
    path.write_text(json.dumps(plan, indent=1))


def run(cli, *args):
    return subprocess.run([str(cli), *map(str, args)], check=True, capture_output=True, text=True).stdout


def compare(cli, base, sliced, batch, threads, runs):
    result = json.loads(run(cli, "bench", "--model", base, "--compare", sliced, "--batch", batch, "--threads",
                            threads, "--runs", runs, "--json"))
    return result["speedup"], result["flops_ratio"], result["param_ratio"], result["compare"]["peak_rss_mib"]


def row(name, plan, batch, speedup, flops_ratio, param_ratio, peak_mib):
    print(f"| {name} | {plan} | {batch} | {flops_ratio:.2f}x | {param_ratio:.2f}x | {speedup:.2f}x | "
          f"**{speedup / flops_ratio:.2f}** | {peak_mib:.0f} |", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--batches", default="1,32")
    parser.add_argument("--shapes", default="bert-mini,bert-base")
    parser.add_argument("--demo", type=pathlib.Path)
    parser.add_argument("--cli", default=os.environ.get("AXFORMER_CLI", ROOT / "build" / "app" / "axformer"))
    args = parser.parse_args()
    batches = [int(b) for b in args.batches.split(",")]
    print(f"threads {args.threads}, seq 128, {args.runs} timed runs per model (in turns)\n")
    print("| model | plan | batch | FLOPs fewer | parameters fewer | speed-up | efficiency | peak MiB (both models) |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp)
        for name in args.shapes.split(","):
            shape = peer.SHAPES[name]
            base = work / name
            peer.write_model_folder(base, shape, peer.random_weights(shape, seed=1))
            for index, (label, decisions) in enumerate(plans(shape["layers"], shape["heads"]).items()):
                plan, sliced = work / f"{name}-{index}.json", work / f"{name}-{index}"
                write_plan(plan, decisions, shape["heads"])
                run(args.cli, "apply", "--model", base, "--plan", plan, "--out", sliced, "--ignore-hash")
                for batch in batches:
                    row(name, label, batch, *compare(args.cli, base, sliced, batch, args.threads, args.runs))
        if args.demo:
            sliced = work / "demo-sliced"
            run(args.cli, "apply", "--model", args.demo / "finetuned", "--plan", args.demo / "search" / "plan.json",
                "--out", sliced)
            for batch in batches:
                row("built-in demo", "the demo search's plan", batch,
                    *compare(args.cli, args.demo / "finetuned", sliced, batch, args.threads, args.runs))


if __name__ == "__main__":
    sys.exit(main())
