#!/usr/bin/python3
"""Our C++ forward against PyTorch's fused Transformer-encoder fast path, on the same weights.

For each shape (BERT-base, BERT-Mini) it writes one random model folder (Hugging Face layout,
N(0, 0.02) weights, LayerNorm 1/0), loads the very same tensors into torch.nn.TransformerEncoder
(post-LN, exact GELU, eps 1e-12, batch_first: the layout whose eval/inference forward takes the
fused `_transformer_encoder_layer_fwd` kernel) plus BERT's embeddings and pooler, checks that both
give the same pooled output, then times them in alternating rounds: `axformer bench` (its own
warm-up and median) and this process's PyTorch forward (warm-up, then median), round after round,
so that noise on this machine hits both alike. Prints a Markdown table: median ms of each, the
ratio ours / PyTorch per round and its median (target <= 1.0).

Also the roofline: the time of the forward's matrix products alone (the same GEMMs, batched
attention products included) in PyTorch, and our achieved GFLOP/s as a share of that GEMM rate.
And peak resident memory: the whole `axformer bench` process's (model loading included), and
PyTorch's in a process of its own over the same forwards (the harness's copy of the weights freed
and the peak reset before them, Linux's /proc/self/clear_refs).

    /usr/bin/python3 bench/peer_pytorch.py [--threads 2] [--rounds 5] [--runs 10]

Needs Debian's python3-torch (1.13, the same LibTorch and OpenBLAS our build links) and the BERT
uncased vocab in $AXFORMER_SHARED (default ../shared beside the source tree) for BERT-base's
vocabulary size; without it BERT-base uses a generated vocabulary of the same size.
"""
import argparse
import gc
import json
import math
import os
import pathlib
import re
import statistics
import struct
import subprocess
import sys
import tempfile
import time

import torch

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHAPES = {
    "bert-base": dict(hidden=768, layers=12, heads=12, ffn=3072, vocab=30522),
    "bert-mini": dict(hidden=256, layers=4, heads=4, ffn=1024, vocab=30522),
}


def vocab_lines(size):
    shared = pathlib.Path(os.environ.get("AXFORMER_SHARED", ROOT.parent / "shared"))
    vocab = shared / "vocab" / "bert-base-uncased" / "vocab.txt"
    if vocab.exists():
        lines = vocab.read_text(encoding="utf-8").splitlines()
        if len(lines) == size:
            return lines
    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    return special + [f"w{i}" for i in range(size - len(special))]


def random_weights(shape, seed):
    g = torch.Generator().manual_seed(seed)
    h, f = shape["hidden"], shape["ffn"]

    def normal(*size):
        return torch.empty(*size).normal_(0.0, 0.02, generator=g)

    w = {
        "bert.embeddings.word_embeddings.weight": normal(shape["vocab"], h),
        "bert.embeddings.position_embeddings.weight": normal(512, h),
        "bert.embeddings.token_type_embeddings.weight": normal(2, h),
        "bert.embeddings.LayerNorm.weight": torch.ones(h),
        "bert.embeddings.LayerNorm.bias": torch.zeros(h),
        "bert.pooler.dense.weight": normal(h, h),
        "bert.pooler.dense.bias": torch.zeros(h),
    }
    for layer in range(shape["layers"]):
        p = f"bert.encoder.layer.{layer}."
        for name, out_dim, in_dim in [("attention.self.query", h, h), ("attention.self.key", h, h),
                                      ("attention.self.value", h, h), ("attention.output.dense", h, h),
                                      ("intermediate.dense", f, h), ("output.dense", h, f)]:
            w[p + name + ".weight"] = normal(out_dim, in_dim)
            w[p + name + ".bias"] = normal(out_dim)
        for norm in ("attention.output.LayerNorm", "output.LayerNorm"):
            w[p + norm + ".weight"] = torch.ones(h)
            w[p + norm + ".bias"] = torch.zeros(h)
    return w


def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, tensor in tensors.items():
        data = tensor.contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    encoded = json.dumps(header).encode()
    encoded += b" " * ((8 - len(encoded) % 8) % 8)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(encoded)))
        out.write(encoded)
        for blob in blobs:
            out.write(blob)


def write_model_folder(folder, shape, weights):
    folder.mkdir(parents=True, exist_ok=True)
    config = {"architectures": ["BertModel"], "model_type": "bert", "hidden_size": shape["hidden"],
              "num_hidden_layers": shape["layers"], "num_attention_heads": shape["heads"],
              "intermediate_size": shape["ffn"], "hidden_act": "gelu", "max_position_embeddings": 512,
              "type_vocab_size": 2, "vocab_size": shape["vocab"], "layer_norm_eps": 1e-12,
              "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "pad_token_id": 0}
    (folder / "config.json").write_text(json.dumps(config, indent=2))
    (folder / "vocab.txt").write_text("\n".join(vocab_lines(shape["vocab"])) + "\n", encoding="utf-8")
    write_safetensors(folder / "model.safetensors", weights)


class PeerBert(torch.nn.Module):
    """BERT's embeddings, torch.nn.TransformerEncoder and BERT's pooler, on our weights."""

    def __init__(self, shape, w):
        super().__init__()
        h = shape["hidden"]
        self.word = torch.nn.Embedding.from_pretrained(w["bert.embeddings.word_embeddings.weight"])
        self.position = torch.nn.Embedding.from_pretrained(w["bert.embeddings.position_embeddings.weight"])
        self.token_type = torch.nn.Embedding.from_pretrained(w["bert.embeddings.token_type_embeddings.weight"])
        self.norm = torch.nn.LayerNorm(h, eps=1e-12)
        layer = torch.nn.TransformerEncoderLayer(h, shape["heads"], shape["ffn"], dropout=0.1, activation="gelu",
                                                 layer_norm_eps=1e-12, batch_first=True, norm_first=False)
        self.encoder = torch.nn.TransformerEncoder(layer, shape["layers"], enable_nested_tensor=False)
        self.pooler = torch.nn.Linear(h, h)
        with torch.no_grad():
            for i, peer in enumerate(self.encoder.layers):
                p = f"bert.encoder.layer.{i}."
                qkv = ["attention.self.query", "attention.self.key", "attention.self.value"]
                peer.self_attn.in_proj_weight.copy_(torch.cat([w[p + n + ".weight"] for n in qkv]))
                peer.self_attn.in_proj_bias.copy_(torch.cat([w[p + n + ".bias"] for n in qkv]))
                peer.self_attn.out_proj.weight.copy_(w[p + "attention.output.dense.weight"])
                peer.self_attn.out_proj.bias.copy_(w[p + "attention.output.dense.bias"])
                peer.linear1.weight.copy_(w[p + "intermediate.dense.weight"])
                peer.linear1.bias.copy_(w[p + "intermediate.dense.bias"])
                peer.linear2.weight.copy_(w[p + "output.dense.weight"])
                peer.linear2.bias.copy_(w[p + "output.dense.bias"])
                for mine, theirs in ((peer.norm1, "attention.output.LayerNorm"), (peer.norm2, "output.LayerNorm")):
                    mine.weight.copy_(w[p + theirs + ".weight"])
                    mine.bias.copy_(w[p + theirs + ".bias"])
            self.pooler.weight.copy_(w["bert.pooler.dense.weight"])
            self.pooler.bias.copy_(w["bert.pooler.dense.bias"])
        self.eval()

    def forward(self, ids):
        positions = torch.arange(ids.shape[1]).unsqueeze(0)
        x = self.norm(self.word(ids) + self.position(positions) + self.token_type(torch.zeros_like(ids)))
        x = self.encoder(x)  # full attention, as `axformer bench` times it
        return torch.tanh(self.pooler(x[:, 0]))


def median_ms(fn, runs, warmup=3):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def ours(cli, folder, batch, seq, threads, runs):
    out = subprocess.run([str(cli), "bench", "--model", str(folder), "--batch", str(batch), "--seq-len", str(seq),
                          "--threads", str(threads), "--runs", str(runs), "--json"],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def same_output(cli, folder, peer, seq, work):
    ids = torch.randint(1000, 30000, (2, seq))
    request = work / "inspect.json"
    request.write_text(json.dumps({"input_ids": ids.tolist()}))
    tensors = work / "inspect.safetensors"
    subprocess.run([str(cli), "inspect", "--model", str(folder), "--input", str(request), "--out", str(tensors)],
                   check=True, capture_output=True)
    blob = tensors.read_bytes()
    size = struct.unpack("<Q", blob[:8])[0]
    header = json.loads(blob[8:8 + size])
    begin, end = header["pooled_output"]["data_offsets"]
    mine = torch.frombuffer(bytearray(blob[8 + size + begin:8 + size + end]), dtype=torch.float32)
    with torch.inference_mode():
        theirs = peer(ids).reshape(-1)
    return float((mine - theirs).abs().max())


def resident_peak_mib():
    status = pathlib.Path("/proc/self/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def peer_peak(name, batch, seq, runs):
    """Runs in the child that peer_peak_mib starts: prints the peak over warm-up and `runs` forwards."""
    shape = SHAPES[name]
    weights = random_weights(shape, seed=1)
    peer = PeerBert(shape, weights)
    del weights  # the encoder's tensors were copied into the modules
    gc.collect()
    pathlib.Path("/proc/self/clear_refs").write_text("5")  # resets the peak to the current size
    ids = torch.randint(1000, 30000, (batch, seq))
    with torch.inference_mode():
        for _ in range(3 + runs):
            peer(ids)
    print(f"{resident_peak_mib():.1f}")


def peer_peak_mib(name, batch, seq, threads, runs):
    out = subprocess.run([sys.executable, __file__, "--peak-of", f"{name},{batch}", "--seq-len", str(seq),
                          "--threads", str(threads), "--runs", str(runs)], check=True, capture_output=True, text=True)
    return float(out.stdout)


def gemm_only_ms(shape, batch, seq, runs):
    """The forward's matrix products alone, same shapes, same library."""
    h, f, heads, layers = shape["hidden"], shape["ffn"], shape["heads"], shape["layers"]
    tokens = batch * seq
    x, y = torch.randn(tokens, h), torch.randn(tokens, f)
    wq, wf1, wf2 = torch.randn(h, h), torch.randn(f, h), torch.randn(h, f)
    q = torch.randn(batch, heads, seq, h // heads)
    probs = torch.randn(batch, heads, seq, seq)

    def products():
        for _ in range(layers):
            for _ in range(4):  # query, key, value, attention output
                torch.nn.functional.linear(x, wq)
            torch.matmul(q, q.transpose(-1, -2))
            torch.matmul(probs, q)
            torch.nn.functional.linear(x, wf1)
            torch.nn.functional.linear(y, wf2)

    with torch.inference_mode():
        return median_ms(products, runs)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--seq-len", type=int, default=128)
    parser.add_argument("--batches", default="1,32")
    parser.add_argument("--shapes", default="bert-mini,bert-base")
    parser.add_argument("--cli", default=os.environ.get("AXFORMER_CLI", ROOT / "build" / "app" / "axformer"))
    parser.add_argument("--peak-of", help=argparse.SUPPRESS)  # NAME,BATCH: the child of peer_peak_mib
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    if args.peak_of:
        name, batch = args.peak_of.split(",")
        return peer_peak(name, int(batch), args.seq_len, args.runs)
    print(f"threads {args.threads}, seq {args.seq_len}, {args.rounds} alternating rounds of {args.runs} runs each; "
          f"PyTorch {torch.__version__}\n")
    print("| shape | batch | ours ms | PyTorch ms | ours / PyTorch (median of rounds; each round) | pooled max diff "
          "| GEMM-only ms | ours GFLOP/s | share of GEMM rate | peak MiB ours / PyTorch |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp)
        for name in args.shapes.split(","):
            shape = SHAPES[name]
            weights = random_weights(shape, seed=1)
            folder = work / name
            write_model_folder(folder, shape, weights)
            peer = PeerBert(shape, weights)
            diff = same_output(args.cli, folder, peer, args.seq_len, work)
            for batch in (int(b) for b in args.batches.split(",")):
                ids = torch.randint(1000, 30000, (batch, args.seq_len))
                mine, theirs, ratios, flops, our_peak = [], [], [], 0, 0.0
                for _ in range(args.rounds):
                    result = ours(args.cli, folder, batch, args.seq_len, args.threads, args.runs)
                    flops = result["flops"]
                    our_peak = max(our_peak, result["peak_rss_mib"])
                    with torch.inference_mode():
                        peer_ms = median_ms(lambda: peer(ids), args.runs)
                    mine.append(result["latency_ms_median"])
                    theirs.append(peer_ms)
                    ratios.append(mine[-1] / peer_ms)
                gemm = gemm_only_ms(shape, batch, args.seq_len, args.runs)
                their_peak = peer_peak_mib(name, batch, args.seq_len, args.threads, args.runs)
                ours_ms = statistics.median(mine)
                gflops = flops / ours_ms / 1e6
                print(f"| {name} | {batch} | {ours_ms:.2f} | {statistics.median(theirs):.2f} | "
                      f"**{statistics.median(ratios):.2f}** ({', '.join(f'{r:.2f}' for r in ratios)}) | {diff:.1e} | "
                      f"{gemm:.2f} | {gflops:.1f} | {gemm / ours_ms:.0%} | {our_peak:.0f} / {their_peak:.0f} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
