#!/usr/bin/python3
"""An independent PyTorch (float64) implementation of the Llama, Qwen2 and StarCoder2 decoders, for
the engine's parity test (tests/unit/test_nn_llama.c). Written from the architectures' definitions,
not from `transformers`: RMSNorm x / sqrt(mean(x^2) + eps) * w; rotary embeddings in the half-split
convention (angles duplicated cat(f, f), rotate_half([x1, x2]) = [-x2, x1]) with linear or llama3
scaling of the frequencies; grouped-query attention (key/value head j serves query heads
j * H / KV ...); SwiGLU MLP down(silu(gate(x)) * up(x)) or StarCoder2's biased gelu (tanh) MLP with
LayerNorm; tied or untied output.

    /usr/bin/python3 tests/nn/llama_ref.py OUTDIR
    /usr/bin/python3 tests/nn/llama_ref.py model DIR CASE VOCAB [EMBED_SCALE [CONTEXT]]  (one case's model, vocab
                                  VOCAB; with CONTEXT, that context and no rope scaling, as llama.cpp runs it)
    /usr/bin/python3 tests/nn/llama_ref.py greedy DIR GENERATE_JSON [PEFT_DIR]  (check `git clmodel generate
                                  --json`, with a PEFT LoRA adapter applied as PEFT does when PEFT_DIR is given)
    /usr/bin/python3 tests/nn/llama_ref.py shape DIR                 (random, Qwen2.5-Coder-0.5B's shapes)

The first writes OUTDIR/<case>/ (config.json, generation_config.json, model.safetensors or shards with
model.safetensors.index.json, and expect.json: soft-prompt rows and LoRA set values, a batch, the
logits at every position, the loss, the gradient of every tensor, and the prompt/LoRA values after
one AdamW step with the backbone frozen).
"""
import json
import math
import os
import struct
import sys

import torch

torch.set_default_dtype(torch.float64)

CASES = [
    # 5:1 grouped-query attention, explicit head_dim 6 (not a power of two, heads * head_dim != hidden),
    # untied output, attention and MLP biases, llama3 rope scaling with all three wavelength bands
    dict(name="llama_gqa5", arch="LlamaForCausalLM", model_type="llama", L=2, C=16, H=5, KV=1, hd=6, F=28,
         V=37, tied=False, attention_bias=True, mlp_bias=True, theta=10000.0,
         scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                  "original_max_position_embeddings": 16}, dtype="F32", shards=1),
    # Qwen2: q/k/v biases, tied, rope_theta 1e6, linear scaling; BF16 weights
    dict(name="qwen2_bf16", arch="Qwen2ForCausalLM", model_type="qwen2", L=2, C=24, H=4, KV=2, hd=None, F=40,
         V=41, tied=True, theta=1e6, scaling={"type": "linear", "factor": 2.0}, dtype="BF16", shards=1),
    # StarCoder2: LayerNorm with bias, biased projections, gelu (tanh); F16 weights in two shards
    dict(name="starcoder2", arch="Starcoder2ForCausalLM", model_type="starcoder2", L=2, C=24, H=6, KV=2,
         hd=None, F=48, V=29, tied=True, theta=100000.0, scaling=None, dtype="F16", shards=2),
    # plain Llama: multi-head (KV = H), no biases, tied, BF16
    dict(name="llama_plain_bf16", arch="LlamaForCausalLM", model_type="llama", L=3, C=32, H=4, KV=4, hd=None,
         F=48, V=45, tied=True, attention_bias=False, mlp_bias=False, theta=10000.0, scaling=None,
         dtype="BF16", shards=1),
]
EPS = 1e-5
PROMPT_ROWS, RANK, ALPHA = 3, 2, 4.0
LR, WD = 1e-2, 0.01
# (tokens, loss weights, soft-prompt rows, adapter set or -1)
BATCH = [
    ([3, 7, 1, 22, 9, 9, 4, 15, 2], [0, 0, 0, 1, 1, 1, 0.5, 1, 1], [2, 0], 0),
    ([5, 11, 0, 23, 2, 8], [1, 1, 1, 1, 1, 1], [], -1),
]


def head_dim(c):
    return c["hd"] or c["C"] // c["H"]


def projections(c):
    """(module, in, out, has bias) of one block, in the engine's LoRA order."""
    C, F, Q, K = c["C"], c["F"], c["H"] * head_dim(c), c["KV"] * head_dim(c)
    sc2 = c["model_type"] == "starcoder2"
    qkv_b = sc2 or c["model_type"] == "qwen2" or c.get("attention_bias", False)
    o_b = sc2 or c.get("attention_bias", False)
    mlp_b = sc2 or c.get("mlp_bias", False)
    out = [("self_attn.q_proj", C, Q, qkv_b), ("self_attn.k_proj", C, K, qkv_b),
           ("self_attn.v_proj", C, K, qkv_b), ("self_attn.o_proj", Q, C, o_b)]
    if sc2:
        out += [("mlp.c_fc", C, F, mlp_b), ("mlp.c_proj", F, C, mlp_b)]
    else:
        out += [("mlp.gate_proj", C, F, mlp_b), ("mlp.up_proj", C, F, mlp_b), ("mlp.down_proj", F, C, mlp_b)]
    return out


def backbone_shapes(c):
    C, V = c["C"], c["V"]
    sc2 = c["model_type"] == "starcoder2"
    shapes = [("model.embed_tokens.weight", (V, C))]
    for l in range(c["L"]):
        pre = f"model.layers.{l}."
        shapes.append((pre + "input_layernorm.weight", (C,)))
        if sc2:
            shapes.append((pre + "input_layernorm.bias", (C,)))
        for mod, fin, fout, bias in projections(c):
            shapes.append((pre + mod + ".weight", (fout, fin)))
            if bias:
                shapes.append((pre + mod + ".bias", (fout,)))
        shapes.append((pre + "post_attention_layernorm.weight", (C,)))
        if sc2:
            shapes.append((pre + "post_attention_layernorm.bias", (C,)))
    shapes.append(("model.norm.weight", (C,)))
    if sc2:
        shapes.append(("model.norm.bias", (C,)))
    if not c["tied"]:
        shapes.append(("lm_head.weight", (V, C)))
    return shapes


def extra_shapes(c):
    shapes = [("clm.prompt.weight", (PROMPT_ROWS, c["C"]))]
    for l in range(c["L"]):
        for mod, fin, fout, _ in projections(c):
            pre = f"clm.lora.0.model.layers.{l}.{mod}"
            shapes += [(pre + ".A", (fin, RANK)), (pre + ".B", (RANK, fout))]
    return shapes


def rounded(t, dtype):
    """What the C side holds: the file's dtype, widened exactly to float32."""
    t = {"F32": t.float(), "F16": t.half(), "BF16": t.bfloat16()}[dtype]
    return t.double()


def make_params(c, seed):
    g = torch.Generator().manual_seed(seed)
    params = {}
    for name, shape in backbone_shapes(c) + extra_shapes(c):
        if name.endswith("norm.weight") or name.endswith("layernorm.weight"):
            t = 1.0 + 0.1 * torch.randn(shape, generator=g)
        else:
            t = 0.2 * torch.randn(shape, generator=g)
        dtype = c["dtype"] if not name.startswith("clm.") else "F32"
        params[name] = rounded(t, dtype).requires_grad_(True)
    return params


def inv_freq(c):
    hd = head_dim(c)
    f = 1.0 / (c["theta"] ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))
    s = c["scaling"]
    if not s:
        return f
    kind = s.get("rope_type", s.get("type"))
    if kind == "linear":
        return f / s["factor"]
    # llama3: wavelengths beyond original / low_freq_factor are slowed by factor, those below
    # original / high_freq_factor kept, a linear blend (in original / wavelength) in between
    orig, lo, hi, factor = s["original_max_position_embeddings"], s["low_freq_factor"], s["high_freq_factor"], s["factor"]
    out = []
    for v in f.tolist():
        wl = 2 * math.pi / v
        if wl < orig / hi:
            out.append(v)
        elif wl > orig / lo:
            out.append(v / factor)
        else:
            sm = (orig / wl - lo) / (hi - lo)
            out.append((1 - sm) * v / factor + sm * v)
    return torch.tensor(out)


def rope(x, freqs):
    """x [T, heads, hd]; freqs [hd/2]: positions 0..T-1."""
    T = x.shape[0]
    ang = torch.arange(T, dtype=torch.float64)[:, None] * freqs[None, :]
    ang = torch.cat([ang, ang], -1)[:, None, :]
    half = x.shape[-1] // 2
    rot = torch.cat([-x[..., half:], x[..., :half]], -1)
    return x * torch.cos(ang) + rot * torch.sin(ang)


def gelu_tanh(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def norm(c, p, name, x):
    if c["model_type"] == "starcoder2":
        return torch.nn.functional.layer_norm(x, (c["C"],), p[name + ".weight"], p[name + ".bias"], EPS)
    return x / torch.sqrt((x * x).mean(-1, keepdim=True) + EPS) * p[name + ".weight"]


def proj(p, x, l, mod, adapter):
    w = p[f"model.layers.{l}.{mod}.weight"]
    y = x @ w.t()
    b = p.get(f"model.layers.{l}.{mod}.bias")
    if b is not None:
        y = y + b
    peft = p.get("peft")
    if peft and f"model.layers.{l}.{mod}" in peft["modules"]:
        # PEFT's LoRA layer: base(x) + lora_B(lora_A(x)) * lora_alpha / r, A [r, in], B [out, r]
        a, b = peft["modules"][f"model.layers.{l}.{mod}"]
        y = y + (x @ a.t()) @ b.t() * peft["scaling"]
    if adapter >= 0:
        pre = f"clm.lora.{adapter}.model.layers.{l}.{mod}"
        y = y + (ALPHA / RANK) * (x @ p[pre + ".A"]) @ p[pre + ".B"]
    return y


def example_logits(c, p, tokens, prefix, adapter):
    H, KV, hd = c["H"], c["KV"], head_dim(c)
    x = torch.cat([p["clm.prompt.weight"][prefix], p["model.embed_tokens.weight"][tokens]], 0)
    T = x.shape[0]
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    freqs = inv_freq(c)
    for l in range(c["L"]):
        h = norm(c, p, f"model.layers.{l}.input_layernorm", x)
        q = rope(proj(p, h, l, "self_attn.q_proj", adapter).view(T, H, hd), freqs)
        k = rope(proj(p, h, l, "self_attn.k_proj", adapter).view(T, KV, hd), freqs)
        v = proj(p, h, l, "self_attn.v_proj", adapter).view(T, KV, hd)
        k = k.repeat_interleave(H // KV, dim=1)
        v = v.repeat_interleave(H // KV, dim=1)
        q, k, v = (t.transpose(0, 1) for t in (q, k, v))
        att = (q @ k.transpose(1, 2)) / math.sqrt(hd)
        att = att.masked_fill(~mask, float("-inf")).softmax(-1)
        y = (att @ v).transpose(0, 1).reshape(T, H * hd)
        x = x + proj(p, y, l, "self_attn.o_proj", adapter)
        h = norm(c, p, f"model.layers.{l}.post_attention_layernorm", x)
        if c["model_type"] == "starcoder2":
            m = gelu_tanh(proj(p, h, l, "mlp.c_fc", adapter))
            x = x + proj(p, m, l, "mlp.c_proj", adapter)
        else:
            g = proj(p, h, l, "mlp.gate_proj", adapter)
            m = g * torch.sigmoid(g) * proj(p, h, l, "mlp.up_proj", adapter)
            x = x + proj(p, m, l, "mlp.down_proj", adapter)
    x = norm(c, p, "model.norm", x)
    out = p["model.embed_tokens.weight"] if c["tied"] else p["lm_head.weight"]
    return x[len(prefix):] @ out.t()


def batch_loss(c, p):
    all_logits, total, wsum = [], 0.0, 0.0
    for tokens, weights, prefix, adapter in BATCH:
        logits = example_logits(c, p, torch.tensor(tokens), torch.tensor(prefix, dtype=torch.long), adapter)
        all_logits.append(logits)
        nll = torch.nn.functional.cross_entropy(logits[:-1], torch.tensor(tokens[1:]), reduction="none")
        w = torch.tensor(weights[1:], dtype=torch.float64)
        total = total + (w * nll).sum()
        wsum += float(w.sum())
    return total / wsum, torch.cat(all_logits)


def config_json(c):
    j = {"architectures": [c["arch"]], "model_type": c["model_type"], "hidden_size": c["C"],
         "intermediate_size": c["F"], "num_hidden_layers": c["L"], "num_attention_heads": c["H"],
         "num_key_value_heads": c["KV"], "max_position_embeddings": 64, "vocab_size": c["V"],
         "rope_theta": c["theta"], "rope_scaling": c["scaling"], "tie_word_embeddings": c["tied"],
         "torch_dtype": {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}[c["dtype"]],
         "bos_token_id": 1, "eos_token_id": 2}
    if c["hd"]:
        j["head_dim"] = c["hd"]
    if c["model_type"] == "starcoder2":
        j.update(norm_epsilon=EPS, use_bias=True, hidden_act="gelu_pytorch_tanh", sliding_window=4096)
    else:
        j.update(rms_norm_eps=EPS, hidden_act="silu")
    if c["model_type"] == "llama":
        j.update(attention_bias=c["attention_bias"], mlp_bias=c["mlp_bias"])
    if c["model_type"] == "qwen2":
        j.update(use_sliding_window=False, sliding_window=32768, max_window_layers=28)
    return j


def tensor_bytes(t, dtype):
    if dtype == "F32":
        return t.float().contiguous().numpy().tobytes()
    if dtype == "F16":
        return t.half().contiguous().numpy().tobytes()
    # bfloat16: the top half of the float32 bit pattern (the values are already bf16)
    raw = t.float().contiguous().view(torch.int32).flatten().tolist()
    return b"".join(struct.pack("<H", (v >> 16) & 0xFFFF) for v in raw)


def write_safetensors(path, tensors):
    header, blobs, off = {"__metadata__": {"format": "pt"}}, [], 0
    for name, dtype, shape, data in tensors:
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [off, off + len(data)]}
        blobs.append(data)
        off += len(data)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def write_model(c, p, d):
    names = backbone_shapes(c)
    tensors = [(n, c["dtype"], s, tensor_bytes(p[n].detach(), c["dtype"])) for n, s in names]
    if c["shards"] == 1:
        write_safetensors(os.path.join(d, "model.safetensors"), tensors)
        return
    k = c["shards"]
    per = (len(tensors) + k - 1) // k
    weight_map = {}
    for i in range(k):
        fname = f"model-{i + 1:05d}-of-{k:05d}.safetensors"
        part = tensors[i * per:(i + 1) * per]
        write_safetensors(os.path.join(d, fname), part)
        weight_map.update({t[0]: fname for t in part})
    with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": sum(len(t[3]) for t in tensors)}, "weight_map": weight_map}, f)


def flat(t):
    return [float("%.10g" % v) for v in t.detach().flatten().tolist()]


def adamw_step(c, p):
    """Frozen backbone: one AdamW step on the prompt table (no decay) and the LoRA set (decay)."""
    extras = [n for n, _ in extra_shapes(c)]
    for n in p:
        p[n].grad = None
    loss, _ = batch_loss(c, p)
    loss.backward()
    opt = torch.optim.AdamW([{"params": [p["clm.prompt.weight"]], "weight_decay": 0.0},
                             {"params": [p[n] for n in extras[1:]], "weight_decay": WD}],
                            lr=LR, betas=(0.9, 0.999), eps=1e-8)
    opt.step()
    return float(loss), {n: flat(p[n]) for n in extras}


def run_case(c, outdir, seed):
    d = os.path.join(outdir, c["name"])
    os.makedirs(d, exist_ok=True)
    p = make_params(c, seed)
    loss, logits = batch_loss(c, p)
    loss.backward()
    write_model(c, p, d)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(config_json(c), f, indent=1)
    with open(os.path.join(d, "generation_config.json"), "w") as f:
        json.dump({"bos_token_id": 1, "eos_token_id": [2, 5]}, f)
    names = [n for n, _ in backbone_shapes(c) + extra_shapes(c)]
    expect = {
        "generator": "tests/nn/llama_ref.py, torch " + torch.__version__ + ", float64",
        "prompt_rows": PROMPT_ROWS, "lora": {"rank": RANK, "alpha": ALPHA},
        "extras": {n: flat(p[n]) for n, _ in extra_shapes(c)},
        "batch": [{"tokens": t, "weights": w, "prefix": pr, "adapter": a} for t, w, pr, a in BATCH],
        "loss": float(loss), "logits": flat(logits),
        "grads": {n: flat(p[n].grad) for n in names},
        "adamw": {"lr": LR, "weight_decay": WD},
    }
    expect["step_loss"], expect["after_step"] = adamw_step(c, p)
    with open(os.path.join(d, "expect.json"), "w") as f:
        json.dump(expect, f, separators=(",", ":"))


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, end = e["data_offsets"]
        data = bytearray(raw[8 + n + b:8 + n + end])
        if e["dtype"] == "BF16":
            t = torch.frombuffer(data, dtype=torch.int16).to(torch.int32) << 16
            t = t.view(torch.float32)
        else:
            t = torch.frombuffer(data, dtype={"F32": torch.float32, "F16": torch.float16}[e["dtype"]])
        out[name] = t.double().reshape(e["shape"])
    return out


def case_from_dir(d):
    """The case dict of a directory written by write_model, with its weights."""
    j = json.load(open(os.path.join(d, "config.json")))
    c = dict(name=os.path.basename(d), arch=j["architectures"][0], model_type=j["model_type"],
             L=j["num_hidden_layers"], C=j["hidden_size"], H=j["num_attention_heads"], KV=j["num_key_value_heads"],
             hd=j.get("head_dim"), F=j["intermediate_size"], V=j["vocab_size"], tied=j["tie_word_embeddings"],
             attention_bias=j.get("attention_bias", False), mlp_bias=j.get("mlp_bias", False),
             theta=j["rope_theta"], scaling=j["rope_scaling"])
    files = [f for f in os.listdir(d) if f.endswith(".safetensors")]
    p = {}
    for f in sorted(files):
        p.update(read_safetensors(os.path.join(d, f)))
    p["clm.prompt.weight"] = torch.zeros(1, c["C"])
    return c, p


def read_peft(d):
    """A PEFT LoRA directory as PEFT reads it: adapter_config.json (peft_type LORA, r, lora_alpha,
    target_modules) and adapter_model.safetensors named base_model.model.<module>.lora_A.weight /
    lora_B.weight, each module one of the target modules."""
    cfg = json.load(open(os.path.join(d, "adapter_config.json")))
    assert cfg["peft_type"] == "LORA" and cfg["task_type"] == "CAUSAL_LM", cfg
    r, targets = cfg["r"], set(cfg["target_modules"])
    tensors = read_safetensors(os.path.join(d, "adapter_model.safetensors"))
    modules = {}
    for name, t in tensors.items():
        assert name.startswith("base_model.model.") and name.endswith((".lora_A.weight", ".lora_B.weight")), name
        mod = name[len("base_model.model."):-len(".lora_A.weight")]
        assert mod.split(".")[-1] in targets, f"{mod} is not a target module"
        modules.setdefault(mod, [None, None])[name.endswith(".lora_B.weight")] = t
    for mod, (a, b) in modules.items():
        assert a is not None and b is not None and a.shape[0] == r and b.shape[1] == r, mod
    return {"scaling": cfg["lora_alpha"] / r, "modules": modules}


def check_generate(d, result_path, peft_dir=None):
    """Greedy continuation and top log-probabilities of the directory's model (with the PEFT
    adapter in peft_dir applied) from the prompt ids `git clmodel generate --json` used, against
    what it printed (one result, or a list of them)."""
    c, p = case_from_dir(d)
    if peft_dir:
        p["peft"] = read_peft(peft_dir)
    results = json.load(open(result_path))
    worst, n = 0.0, 0
    for r in results if isinstance(results, list) else [results]:
        ids = list(r["prompt_tokens"])
        empty = torch.tensor([], dtype=torch.long)
        for step, tok in enumerate(r["tokens"]):
            with torch.no_grad():
                row = example_logits(c, p, torch.tensor(ids), empty, -1)[-1]
            lp = torch.log_softmax(row, -1)
            want = int(torch.argmax(row))
            if want != tok:
                sys.exit(f"step {step}: generate chose {tok}, PyTorch {want}")
            for rank, (i, v) in enumerate(r.get("top", [[]] * len(r["tokens"]))[step]):
                worst = max(worst, abs(float(lp[i]) - v))
                if abs(float(lp[i]) - v) > 1e-4 * max(1.0, abs(v)):
                    sys.exit(f"step {step} top {rank}: token {i} log p {v}, PyTorch {float(lp[i])}")
            ids.append(tok)
            n += 1
    print(f"{n} greedy tokens agree; top log-probabilities within {worst:.2g}")


def write_shape(d):
    """Random weights at the real shapes of Qwen2.5-Coder-0.5B, BF16, written tensor by tensor."""
    c = dict(name="qwen2.5-coder-0.5b-shape", arch="Qwen2ForCausalLM", model_type="qwen2", L=24, C=896, H=14, KV=2,
             hd=64, F=4864, V=151936, tied=True, theta=1e6, scaling=None, dtype="BF16")
    os.makedirs(d, exist_ok=True)
    shapes = backbone_shapes(c)
    header, off = {"__metadata__": {"format": "pt"}}, 0
    for name, shape in shapes:
        n = 2 * math.prod(shape)
        header[name] = {"dtype": "BF16", "shape": list(shape), "data_offsets": [off, off + n]}
        off += n
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    g = torch.Generator().manual_seed(5)
    with open(os.path.join(d, "model.safetensors.tmp"), "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h)
        for name, shape in shapes:
            if name.endswith("norm.weight") or name.endswith("layernorm.weight"):
                t = torch.ones(shape, dtype=torch.float32)
            else:
                t = 0.02 * torch.randn(shape, generator=g, dtype=torch.float32)
            f.write(t.bfloat16().view(torch.int16).numpy().tobytes())
    os.rename(os.path.join(d, "model.safetensors.tmp"), os.path.join(d, "model.safetensors"))
    j = config_json(c)
    j["max_position_embeddings"] = 32768
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(j, f, indent=1)


def main():
    if sys.argv[1] == "shape":
        write_shape(sys.argv[2])
        return
    if sys.argv[1] == "model":
        c = dict(next(x for x in CASES if x["name"] == sys.argv[3]), V=int(sys.argv[4]))
        d = sys.argv[2]
        os.makedirs(d, exist_ok=True)
        p = make_params(c, 77)
        if len(sys.argv) > 5:  # a larger embedding (tied output): wider logit margins, fewer near-ties
            with torch.no_grad():
                p["model.embed_tokens.weight"] = rounded(p["model.embed_tokens.weight"] * float(sys.argv[5]), c["dtype"])
        write_model(c, p, d)
        j = config_json(c)
        if len(sys.argv) > 6:  # llama.cpp's context is the model's; its GGUF has no linear rope scaling key
            j.update(max_position_embeddings=int(sys.argv[6]), rope_scaling=None)
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(j, f, indent=1)
        return
    if sys.argv[1] == "greedy":
        check_generate(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else None)
        return
    outdir = sys.argv[1]
    for i, c in enumerate(CASES):
        run_case(c, outdir, 1000 + i)
    print(" ".join(c["name"] for c in CASES))


if __name__ == "__main__":
    main()
