#!/usr/bin/python3
"""Train a task handed off by `git clmodel update --hand-off DIR`, with PyTorch's
DistributedDataParallel, and write the result that `git clmodel update --take-back DIR` records.

    torchrun --nproc_per_node=N train_ddp.py DIR      (gloo on CPU, nccl on GPUs)
    python3 train_ddp.py DIR                           (one process)
    python3 train_ddp.py --nproc N DIR                 (N local processes without torchrun)

Debian 12's torchrun (torch 1.13 on Python 3.11) stops before starting any worker with
"AttributeError: 'NoneType' object has no attribute 'get'" (its default --redirects 0 and --tee 0
are lost by Python 3.11's enum.IntFlag iteration); give them as `--redirects 1 --tee 1` or use
--nproc.

Plain PyTorch only (no transformers, no safetensors package): the models (GPT-2, and the Llama
family: Llama, Qwen2, StarCoder2) are written from their definitions, and the examples come with
the token ids git-clmodel trains on, so no tokenizer is needed here. Every process draws the same
global batch from the job's seed and takes its share of it; the loss is the mean over the global
batch's target tokens, so N processes give the weights one process gives with the same batch.

Reads DIR/job.json, DIR/strategy.json, DIR/train.jsonl, DIR/base/ (config.json, tokenizer.json,
model.safetensors); writes DIR/result/ (config.json, tokenizer.json, model.safetensors with every
base tensor in float32, handoff.json) atomically, from rank 0; for a LoRA job (strategy lora) the
set starts from DIR/adapter_init/ (PEFT) and result/ is a PEFT directory (adapter_config.json,
adapter_model.safetensors, handoff.json).
"""
import argparse
import getpass
import json
import math
import os
import shutil
import socket
import struct
import sys
import time

import torch
import torch.distributed as dist
import torch.nn.functional as F

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    out = {}
    for name, t in header.items():
        if t["dtype"] not in DTYPES:
            raise SystemExit(f"{path}: {name} is {t['dtype']}, not F32, F16 or BF16")
        a, b = t["data_offsets"]
        raw = bytearray(data[8 + n + a:8 + n + b])
        out[name] = torch.frombuffer(raw, dtype=DTYPES[t["dtype"]]).reshape(t["shape"]).float().clone() \
            if b > a else torch.zeros(t["shape"])
    return out


def write_safetensors(path, tensors, metadata):
    header, blobs, off = {"__metadata__": metadata}, [], 0
    for name, t in tensors.items():
        raw = t.detach().float().contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h)
        for raw in blobs:
            f.write(raw)


def peft_module(name):
    """("h.0.attn.c_attn", "A") of "base_model.model.transformer.h.0.attn.c_attn.lora_A.weight"."""
    prefix, part = "base_model.model.", name[-len("A.weight"):][0]
    if not name.startswith(prefix) or not name.endswith((".lora_A.weight", ".lora_B.weight")):
        raise SystemExit(f"{name} is not a PEFT LoRA tensor name")
    module = name[len(prefix):-len(".lora_A.weight")]
    if module.startswith("transformer.h."):
        module = module[len("transformer."):]
    return module, part


def gelu_tanh(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


class Model(torch.nn.Module):
    """A decoder from config.json whose parameters keep the base's tensor names."""

    def __init__(self, config, tensors, adapter=None):
        """`adapter`: (adapter_config.json, PEFT tensors) of a LoRA set to train on the frozen base."""
        super().__init__()
        self.c = config
        arch = (config.get("architectures") or ["GPT2LMHeadModel"])[0]
        self.kind = {"GPT2LMHeadModel": "gpt2", "LlamaForCausalLM": "llama", "Qwen2ForCausalLM": "llama",
                     "Starcoder2ForCausalLM": "starcoder2"}.get(arch)
        if not self.kind:
            raise SystemExit(f"architecture {arch} is not one this trainer implements")
        self.names = list(tensors)
        self.index = {n: i for i, n in enumerate(self.names)}
        self.lora, self.lora_names, self.scale = {}, [], 0.0
        if adapter:
            acfg, ab = adapter
            self.scale = acfg["lora_alpha"] / acfg["r"]
            for name in sorted(ab):
                module, part = peft_module(name)
                self.lora.setdefault(module, {})[part] = len(self.names) + len(self.lora_names)
                self.lora_names.append(name)
        self.weights = torch.nn.ParameterList([torch.nn.Parameter(tensors[n]) for n in self.names] +
                                              [torch.nn.Parameter(adapter[1][n]) for n in self.lora_names])
        if self.kind == "gpt2":
            self.L, self.H = config["n_layer"], config["n_head"]
            self.eps = config.get("layer_norm_epsilon", 1e-5)
        else:
            self.L, self.H = config["num_hidden_layers"], config["num_attention_heads"]
            self.KV = config.get("num_key_value_heads") or self.H
            self.hd = config.get("head_dim") or config["hidden_size"] // self.H
            sc2 = self.kind == "starcoder2"
            self.eps = config.get("norm_epsilon" if sc2 else "rms_norm_eps", 1e-5 if sc2 else 1e-6)
            self.inv_freq = self.rope_frequencies()

    def p(self, name):
        i = self.index.get(name)
        return None if i is None else self.weights[i]

    def rope_frequencies(self):
        c, hd = self.c, self.hd
        f = 1.0 / (c.get("rope_theta", 10000.0) ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))
        s = c.get("rope_scaling")
        if not s:
            return f.float()
        kind = s.get("rope_type", s.get("type"))
        if kind == "linear":
            return (f / s["factor"]).float()
        if kind != "llama3":
            raise SystemExit(f"rope_scaling {kind} is not one this trainer implements")
        # llama3: wavelengths above original / low_freq_factor slow down by factor, those below
        # original / high_freq_factor stay, and in between a blend linear in original / wavelength
        orig, lo, hi = s["original_max_position_embeddings"], s["low_freq_factor"], s["high_freq_factor"]
        blend = ((orig * f / (2 * math.pi) - lo) / (hi - lo)).clamp(0.0, 1.0)
        return ((1 - blend) * f / s["factor"] + blend * f).float()

    def linear(self, x, name):
        w, b = self.p(name + ".weight"), self.p(name + ".bias")
        if self.kind == "gpt2":  # Conv1D: weight [in, out]
            y = x @ w
        else:
            y = x @ w.t()
        ab = self.lora.get(name)
        if ab:  # PEFT's LoRA: + lora_alpha / r * lora_B(lora_A(x)), lora_A [r, in], lora_B [out, r]
            y = y + self.scale * (x @ self.weights[ab["A"]].t()) @ self.weights[ab["B"]].t()
        return y if b is None else y + b

    def norm(self, x, name):
        w, b = self.p(name + ".weight"), self.p(name + ".bias")
        if self.kind == "llama":
            return x * torch.rsqrt((x * x).mean(-1, keepdim=True) + self.eps) * w
        return F.layer_norm(x, (x.shape[-1],), w, b, self.eps)

    def attend(self, q, k, v):
        """q [T, H, hd], k and v [T, KV, hd] -> [T, H * hd], causal."""
        T, H = q.shape[0], q.shape[1]
        rep = H // k.shape[1]
        k, v = k.repeat_interleave(rep, dim=1), v.repeat_interleave(rep, dim=1)
        q, k, v = (t.transpose(0, 1) for t in (q, k, v))
        att = (q @ k.transpose(1, 2)) / math.sqrt(q.shape[-1])
        mask = torch.ones(T, T, dtype=torch.bool, device=q.device).tril()
        att = att.masked_fill(~mask, float("-inf")).softmax(-1)
        return (att @ v).transpose(0, 1).reshape(T, -1)

    def rope(self, x):
        T = x.shape[0]
        ang = torch.arange(T, dtype=torch.float32, device=x.device)[:, None] * self.inv_freq.to(x.device)[None, :]
        ang = torch.cat([ang, ang], -1)[:, None, :]
        half = x.shape[-1] // 2
        rot = torch.cat([-x[..., half:], x[..., :half]], -1)
        return x * torch.cos(ang) + rot * torch.sin(ang)

    def forward(self, examples):
        """Summed next-token loss of the examples' target tokens (one call per step, as DDP wants)."""
        total = 0.0
        for ex in examples:
            src, tgt = ex["source_ids"], ex["target_ids"]
            tokens = torch.tensor(src + tgt, dtype=torch.long, device=self.weights[0].device)
            logits = self.logits(tokens[:-1])
            total = total + F.cross_entropy(logits[len(src) - 1:], tokens[len(src):], reduction="sum")
        return total

    def logits(self, tokens):
        """Logits [T, vocab] of one example."""
        T = tokens.shape[0]
        if self.kind == "gpt2":
            x = self.p("wte.weight")[tokens] + self.p("wpe.weight")[:T]
            C = x.shape[-1]
            for l in range(self.L):
                h = self.norm(x, f"h.{l}.ln_1")
                q, k, v = self.linear(h, f"h.{l}.attn.c_attn").split(C, -1)
                shape = (T, self.H, C // self.H)
                y = self.attend(q.reshape(shape), k.reshape(shape), v.reshape(shape))
                x = x + self.linear(y, f"h.{l}.attn.c_proj")
                h = self.norm(x, f"h.{l}.ln_2")
                x = x + self.linear(gelu_tanh(self.linear(h, f"h.{l}.mlp.c_fc")), f"h.{l}.mlp.c_proj")
            x = self.norm(x, "ln_f")
            return x @ self.p("wte.weight").t()
        x = self.p("model.embed_tokens.weight")[tokens]
        for l in range(self.L):
            pre = f"model.layers.{l}."
            h = self.norm(x, pre + "input_layernorm")
            q = self.rope(self.linear(h, pre + "self_attn.q_proj").view(T, self.H, self.hd))
            k = self.rope(self.linear(h, pre + "self_attn.k_proj").view(T, self.KV, self.hd))
            v = self.linear(h, pre + "self_attn.v_proj").view(T, self.KV, self.hd)
            x = x + self.linear(self.attend(q, k, v), pre + "self_attn.o_proj")
            h = self.norm(x, pre + "post_attention_layernorm")
            if self.kind == "starcoder2":
                x = x + self.linear(gelu_tanh(self.linear(h, pre + "mlp.c_fc")), pre + "mlp.c_proj")
            else:
                g = self.linear(h, pre + "mlp.gate_proj")
                x = x + self.linear(F.silu(g) * self.linear(h, pre + "mlp.up_proj"), pre + "mlp.down_proj")
        x = self.norm(x, "model.norm")
        out = self.p("lm_head.weight")
        return x @ (self.p("model.embed_tokens.weight") if out is None else out).t()


def global_batches(hyper, current, replay, steps):
    """The examples of every step's global batch: the same on every process."""
    g = torch.Generator().manual_seed(int(hyper["seed"], 16) & 0x7FFFFFFFFFFFFFFF)
    n, from_buffer = hyper["batch_size"], hyper["replay_per_batch"] if replay else 0
    tasks = sorted(replay)
    for _ in range(steps):
        batch = [current[int(torch.randint(len(current), (1,), generator=g))] for _ in range(n - from_buffer)]
        for _ in range(from_buffer):
            pool = replay[tasks[int(torch.randint(len(tasks), (1,), generator=g))]]
            batch.append(pool[int(torch.randint(len(pool), (1,), generator=g))])
        yield batch


def train(job_dir, rank, world, device):
    job = json.load(open(os.path.join(job_dir, "job.json")))
    hyper = json.load(open(os.path.join(job_dir, job["hyper"])))
    base = os.path.join(job_dir, job["base"])
    config = json.load(open(os.path.join(base, "config.json")))
    adapter = None
    if hyper["weights"] == "lora":
        adir = os.path.join(job_dir, hyper["adapter"])
        adapter = (json.load(open(os.path.join(adir, "adapter_config.json"))),
                   read_safetensors(os.path.join(adir, "adapter_model.safetensors")))
    elif hyper["weights"] != "full":
        raise SystemExit(f"{hyper['strategy']}: this trainer trains full weights or a LoRA set, not {hyper['weights']}")
    if hyper["batch_size"] < world:
        raise SystemExit(f"batch size {hyper['batch_size']} is smaller than the {world} processes")
    current, replay = [], {}
    with open(os.path.join(job_dir, job["train"])) as f:
        for line in f:
            ex = json.loads(line)
            if ex.get("replay"):
                replay.setdefault(ex["replay_task"], []).append(ex)
            else:
                current.append(ex)
    if not current:
        raise SystemExit("the job has no training examples for its task")
    torch.manual_seed(0)
    model = Model(config, read_safetensors(os.path.join(base, "model.safetensors")), adapter).to(device)
    trained, decay = set(hyper["train"] + model.lora_names), set(hyper["decay"])
    if hyper.get("lora_decay"):
        decay |= set(model.lora_names)
    for name, w in zip(model.names + model.lora_names, model.weights):
        w.requires_grad_(name in trained)
    ddp = torch.nn.parallel.DistributedDataParallel(model) if world > 1 else model
    names = model.names + model.lora_names
    groups = [{"params": [w for n, w in zip(names, model.weights) if n in trained and n in decay],
               "weight_decay": hyper["adamw"]["weight_decay"]},
              {"params": [w for n, w in zip(names, model.weights) if n in trained and n not in decay],
               "weight_decay": 0.0}]
    a = hyper["adamw"]
    opt = torch.optim.AdamW([g for g in groups if g["params"]], lr=hyper["lr"][0] if hyper["lr"] else 0.0,
                            betas=(a["beta1"], a["beta2"]), eps=a["eps"])
    steps, losses, start = hyper["steps"], [], time.time()
    for step, batch in enumerate(global_batches(hyper, current, replay, steps)):
        mine = batch[rank::world]
        count = sum(len(ex["target_ids"]) for ex in batch)
        total = ddp(mine)
        # DDP averages gradients over the processes: scale so the average is the global mean's.
        loss = total * world / count
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if a["clip_norm"] > 0:
            torch.nn.utils.clip_grad_norm_([w for w in model.weights if w.requires_grad], a["clip_norm"])
        for group in opt.param_groups:
            group["lr"] = hyper["lr"][step]
        opt.step()
        seen = total.detach().clone()
        if world > 1:
            dist.all_reduce(seen)
        losses.append(float(seen) / count)
    window = max(steps // 10, 1)
    return model, config, {"first_loss": sum(losses[:window]) / max(len(losses[:window]), 1),
                           "last_loss": sum(losses[-window:]) / max(len(losses[-window:]), 1),
                           "seconds": time.time() - start, "steps": steps}


def write_result(job_dir, model, stats, world, backend, device):
    """result/: a Hugging Face directory (full weights) or a PEFT adapter directory (LoRA)."""
    job = json.load(open(os.path.join(job_dir, "job.json")))
    hyper = json.load(open(os.path.join(job_dir, job["hyper"])))
    base = os.path.join(job_dir, job["base"])
    out = os.path.join(job_dir, job["result"])
    tmp = out + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    meta = {"format": "pt", "handoff": job["id"]}
    if model.lora_names:
        shutil.copyfile(os.path.join(job_dir, hyper["adapter"], "adapter_config.json"),
                        os.path.join(tmp, "adapter_config.json"))
        tensors = {n: w.detach().cpu() for n, w in zip(model.lora_names, model.weights[len(model.names):])}
        write_safetensors(os.path.join(tmp, "adapter_model.safetensors"), tensors, meta)
    else:
        for name in ("config.json", "tokenizer.json"):
            shutil.copyfile(os.path.join(base, name), os.path.join(tmp, name))
        tensors = {n: w.detach().cpu() for n, w in zip(model.names, model.weights)}
        write_safetensors(os.path.join(tmp, "model.safetensors"), tensors, meta)
    where = f"{getpass.getuser()}@{socket.gethostname()}"
    trainer = f"train_ddp.py on {where}: {world} process{'es' if world > 1 else ''} ({backend}, {device}), " \
              f"torch {torch.__version__}"
    result = dict(stats, id=job["id"], trainer=trainer, world_size=world, backend=backend, device=str(device))
    with open(os.path.join(tmp, "handoff.json"), "w") as f:
        json.dump(result, f, indent=2, sort_keys=True)
    shutil.rmtree(out, ignore_errors=True)
    os.rename(tmp, out)


def worker(rank, world, job_dir):
    """One process: join the group (torchrun's or --nproc's environment), train, write."""
    cuda = torch.cuda.is_available()
    backend = "nccl" if cuda else "gloo"
    local = int(os.environ.get("LOCAL_RANK", rank))
    device = torch.device(f"cuda:{local}") if cuda else torch.device("cpu")
    if world > 1:
        dist.init_process_group(backend, rank=rank, world_size=world)
    model, config, stats = train(job_dir, rank, world, device)
    if rank == 0:
        write_result(job_dir, model, stats, world, backend, device.type)
        print(f"trained {stats['steps']} steps in {stats['seconds']:.1f}s on {world} process(es): "
              f"loss {stats['first_loss']:.3f} -> {stats['last_loss']:.3f}; "
              f"now run: git clmodel update --take-back {job_dir}")
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()


def spawned(rank, world, job_dir, port):
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE=str(world),
                      LOCAL_RANK=str(rank))
    worker(rank, world, job_dir)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("job", help="the hand-off folder")
    ap.add_argument("--nproc", type=int, default=0, help="start N local processes (without torchrun)")
    args = ap.parse_args()
    if args.nproc > 1 and "RANK" not in os.environ:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        torch.multiprocessing.spawn(spawned, args=(args.nproc, args.job, port), nprocs=args.nproc)
        return
    worker(int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1)), args.job)


if __name__ == "__main__":
    sys.exit(main())
