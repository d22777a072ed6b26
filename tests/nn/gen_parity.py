#!/usr/bin/python3
"""Write tests/nn/parity.json: a tiny GPT-2 (Hugging Face layout: Conv1D weights stored in x out,
gelu_new, pre-LayerNorm, tied output embedding) with a soft-prompt table and one LoRA set, its
fixed weights, a two-example batch, and what PyTorch computes for it in float64: the logits at every
token position, the weighted next-token loss and the gradients of selected tensors.

The C engine must reproduce these to 1e-4 relative (tests/unit/test_nn_parity.c). Run outside CI
with Debian's python3-torch:  /usr/bin/python3 tests/nn/gen_parity.py > tests/nn/parity.json
"""
import json
import math
import sys

import torch

L, H, C, P, V = 2, 2, 16, 16, 24
PROMPT_ROWS, RANK, ALPHA = 3, 2, 4.0
EPS = 1e-5
PROJ = [("attn.c_attn", C, 3 * C), ("attn.c_proj", C, C), ("mlp.c_fc", C, 4 * C), ("mlp.c_proj", 4 * C, C)]

# (tokens, loss weights, soft-prompt rows, adapter set or -1)
BATCH = [
    ([3, 7, 1, 22, 9, 9, 4, 15], [0, 0, 0, 1, 1, 1, 0.5, 1], [2, 0], 0),
    ([5, 11, 0, 23, 2, 8], [1, 1, 1, 1, 1, 1], [], -1),
]


def param_shapes():
    shapes = [("wte.weight", (V, C)), ("wpe.weight", (P, C))]
    for l in range(L):
        shapes += [
            (f"h.{l}.ln_1.weight", (C,)), (f"h.{l}.ln_1.bias", (C,)),
            (f"h.{l}.attn.c_attn.weight", (C, 3 * C)), (f"h.{l}.attn.c_attn.bias", (3 * C,)),
            (f"h.{l}.attn.c_proj.weight", (C, C)), (f"h.{l}.attn.c_proj.bias", (C,)),
            (f"h.{l}.ln_2.weight", (C,)), (f"h.{l}.ln_2.bias", (C,)),
            (f"h.{l}.mlp.c_fc.weight", (C, 4 * C)), (f"h.{l}.mlp.c_fc.bias", (4 * C,)),
            (f"h.{l}.mlp.c_proj.weight", (4 * C, C)), (f"h.{l}.mlp.c_proj.bias", (C,)),
        ]
    shapes += [("ln_f.weight", (C,)), ("ln_f.bias", (C,)), ("clm.prompt.weight", (PROMPT_ROWS, C))]
    for l in range(L):
        for name, fin, fout in PROJ:
            shapes += [(f"clm.lora.0.h.{l}.{name}.A", (fin, RANK)), (f"clm.lora.0.h.{l}.{name}.B", (RANK, fout))]
    return shapes


def make_params():
    g = torch.Generator().manual_seed(1234)
    params = {}
    for name, shape in param_shapes():
        if name.endswith("ln_1.weight") or name.endswith("ln_2.weight") or name == "ln_f.weight":
            t = 1.0 + 0.1 * torch.randn(shape, generator=g)
        else:
            t = 0.2 * torch.randn(shape, generator=g)
        # the C side holds float32: round first, then compute in float64
        params[name] = t.float().double().requires_grad_(True)
    return params


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def proj(p, x, l, name, adapter):
    y = x @ p[f"h.{l}.{name}.weight"] + p[f"h.{l}.{name}.bias"]
    if adapter >= 0:
        y = y + (ALPHA / RANK) * (x @ p[f"clm.lora.{adapter}.h.{l}.{name}.A"]) @ p[f"clm.lora.{adapter}.h.{l}.{name}.B"]
    return y


def example_logits(p, tokens, prefix, adapter):
    ln = torch.nn.functional.layer_norm
    x = torch.cat([p["clm.prompt.weight"][prefix], p["wte.weight"][tokens]], 0)
    T = x.shape[0]
    x = x + p["wpe.weight"][:T]
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    hd = C // H
    for l in range(L):
        h = ln(x, (C,), p[f"h.{l}.ln_1.weight"], p[f"h.{l}.ln_1.bias"], EPS)
        q, k, v = proj(p, h, l, "attn.c_attn", adapter).split(C, dim=1)
        q, k, v = (t.view(T, H, hd).transpose(0, 1) for t in (q, k, v))
        att = (q @ k.transpose(1, 2)) / math.sqrt(hd)
        att = att.masked_fill(~mask, float("-inf")).softmax(-1)
        y = (att @ v).transpose(0, 1).reshape(T, C)
        x = x + proj(p, y, l, "attn.c_proj", adapter)
        h = ln(x, (C,), p[f"h.{l}.ln_2.weight"], p[f"h.{l}.ln_2.bias"], EPS)
        x = x + proj(p, gelu_new(proj(p, h, l, "mlp.c_fc", adapter)), l, "mlp.c_proj", adapter)
    x = ln(x, (C,), p["ln_f.weight"], p["ln_f.bias"], EPS)
    return x[len(prefix):] @ p["wte.weight"].t()


def main():
    p = make_params()
    all_logits, total, wsum = [], 0.0, 0.0
    for tokens, weights, prefix, adapter in BATCH:
        logits = example_logits(p, torch.tensor(tokens), torch.tensor(prefix, dtype=torch.long), adapter)
        all_logits.append(logits)
        nll = torch.nn.functional.cross_entropy(logits[:-1], torch.tensor(tokens[1:]), reduction="none")
        w = torch.tensor(weights[1:], dtype=torch.float64)
        total = total + (w * nll).sum()
        wsum += float(w.sum())
    loss = total / wsum
    loss.backward()
    grads = ["wte.weight", "wpe.weight", "h.0.ln_1.weight", "h.0.attn.c_attn.weight", "h.1.attn.c_proj.bias",
             "h.1.mlp.c_proj.weight", "ln_f.bias", "clm.prompt.weight", "clm.lora.0.h.0.attn.c_attn.A",
             "clm.lora.0.h.1.mlp.c_fc.B"]
    out = {
        "generator": "tests/nn/gen_parity.py, torch " + torch.__version__ + ", float64",
        "config": {"n_layer": L, "n_head": H, "n_embd": C, "n_positions": P, "vocab_size": V,
                   "layer_norm_epsilon": EPS},
        "prompt_rows": PROMPT_ROWS, "lora": {"rank": RANK, "alpha": ALPHA},
        "batch": [{"tokens": t, "weights": w, "prefix": pr, "adapter": a} for t, w, pr, a in BATCH],
        "weights": {n: [float("%.9g" % v) for v in p[n].detach().flatten().tolist()] for n, _ in param_shapes()},
        "loss": float(loss),
        "logits": [float("%.9g" % v) for v in torch.cat(all_logits).detach().flatten().tolist()],
        "grads": {n: [float("%.9g" % v) for v in p[n].grad.flatten().tolist()] for n in grads},
    }
    json.dump(out, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
